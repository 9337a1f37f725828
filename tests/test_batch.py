"""A folder of submissions at once: every roster checked, the same person found in two
institutions' rosters, a 汇总.xlsx, an unreadable file among them, one payout over several."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import cli_env, make_resident_id, skillpolicy_script, write_rows
from skillpolicy.io.resources import SearchPath
from skillpolicy.loading.programfiles import load_program
from skillpolicy.tasks.batch import SUMMARY_HEADERS, check_batch, expand_inputs

GUANGXI = "guangxi-2012-technician"
PER_TRAINEE = Decimal("1900.00")  # 桂人才通字〔2012〕11号 四(七), per certified trainee
HEADER = ["姓名", "性别", "身份证号", "职业(工种)", "现等级", "取证日期", "申报等级", "培训形式",
          "鉴定结果", "培训机构"]  # fmt: skip
FILES = 20
# (file index, file index): a person on both rosters
SHARED = {"甲重复": (3, 11), "乙重复": (7, 15)}


def trainee(name: str, first17: str, institution: str) -> list[Any]:
    """A trainee who meets every guangxi-2012-technician roster rule."""
    return [name, "男", make_resident_id(first17), "焊工", "高级工", dt.date(2008, 1, 1), "技师",
            "脱产", "合格", institution]  # fmt: skip


def institution(index: int) -> str:
    return f"第{index:02d}职业培训学校"


def make_rosters(folder: Path) -> dict[int, Path]:
    """Twenty rosters, 2 + index % 4 clean trainees each (nobody twice), plus the two shared
    people appended to the files SHARED names (their rows are the last of those files)."""
    folder.mkdir()
    paths: dict[int, Path] = {}
    shared_ids = {name: f"4501021975{n:02d}0101" + "5" for n, name in enumerate(SHARED, start=1)}
    for index in range(1, FILES + 1):
        rows = [
            trainee(
                f"学员{index}-{n}", f"450102{1960 + index}0301{2 * n + 1:03d}", institution(index)
            )
            for n in range(2 + index % 4)
        ]
        for name, files in SHARED.items():
            if index in files:
                rows.append(trainee(name, shared_ids[name], institution(index)))
        paths[index] = write_rows(folder / f"报送{index:02d}.xlsx", [HEADER, *rows])
    return paths


def rows_of(index: int) -> int:
    return 2 + index % 4 + sum(1 for files in SHARED.values() if index in files)


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [skillpolicy_script(), *map(str, args)],
        cwd=cwd, env=cli_env(), capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def test_library_finds_the_same_person_in_two_rosters(tmp_path: Path) -> None:
    """check_batch (no CLI) over 20 rosters: each shared person gets a duplicate-person error
    on both rows, naming the other file and row; nobody else does; amounts exclude them."""
    make_rosters(tmp_path / "报送")
    program = load_program(GUANGXI, SearchPath("catalogs"))
    files = expand_inputs([tmp_path / "报送"])
    assert [p.name for p in files] == [f"报送{i:02d}.xlsx" for i in range(1, FILES + 1)]
    batch = check_batch(files, program, workers=2)
    assert batch.exit_code == 1
    for index, result in enumerate(batch.files, start=1):
        assert result.report is not None and result.error is None
        assert result.report.rows == rows_of(index)
        assert result.institution == institution(index)
        found = [f for f in result.report.findings if f.rule == "duplicate-person"]
        shared = [(name, files) for name, files in SHARED.items() if index in files]
        assert len(found) == len(shared) == result.errors
        for finding, (_name, pair) in zip(found, shared, strict=True):
            other = pair[1] if pair[0] == index else pair[0]
            assert finding.row == rows_of(index) + 1  # the last row, after the header
            assert finding.column == "身份证号" and finding.severity == "error"
            assert f"报送{other:02d}.xlsx 第{rows_of(other) + 1}行" in finding.message
        paid_rows = rows_of(index) - len(shared)
        assert result.payable == PER_TRAINEE * paid_rows
    expected = sum(PER_TRAINEE * (2 + i % 4) for i in range(1, FILES + 1))
    assert batch.total_payable() == expected


def test_cli_folder_writes_copies_and_summary(tmp_path: Path) -> None:
    """`validate DIR --annotate-dir OUT`: an annotated copy per roster, 汇总.xlsx with one row
    per file and the totals, plain progress lines on stderr, exit 1 for the worst file."""
    make_rosters(tmp_path / "报送")
    result = run("validate", "报送", "-p", GUANGXI, "--annotate-dir", "结果", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    out = tmp_path / "结果"
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([*(f"报送{i:02d}-标注.xlsx" for i in range(1, FILES + 1)), "汇总.xlsx"])
    assert sum(1 for line in result.stderr.splitlines() if line.startswith("已核对 ")) == FILES
    assert "\x1b" not in result.stderr
    sheet = openpyxl.load_workbook(out / "汇总.xlsx").active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert tuple(values[0]) == SUMMARY_HEADERS
    assert len(values) == 1 + FILES + 1
    for index, row in enumerate(values[1 : FILES + 1], start=1):
        shared = sum(1 for files in SHARED.values() if index in files)
        assert row[1] == f"报送{index:02d}.xlsx" and row[2] == institution(index)
        assert row[3:6] == [rows_of(index), shared, 0]
        assert Decimal(str(row[6])) == PER_TRAINEE * (rows_of(index) - shared)
        assert row[7] == ("有错误" if shared else "无错误")
    totals = values[-1]
    assert totals[0] == "合计"
    assert totals[3] == sum(rows_of(i) for i in range(1, FILES + 1))
    assert totals[4] == 4
    assert Decimal(str(totals[6])) == sum(Decimal(str(r[6])) for r in values[1 : FILES + 1])
    assert sheet.print_title_rows == "$1:$1" and sheet.page_setup.paperSize == 9
    marked = openpyxl.load_workbook(out / "报送03-标注.xlsx")
    texts = [
        str(cell.value) + str(cell.comment.text if cell.comment else "")
        for each in marked.worksheets
        for line in each.iter_rows()
        for cell in line
    ]
    assert any(f"报送11.xlsx 第{rows_of(11) + 1}行" in text for text in texts)
    assert "汇总（20 个文件）" in result.stdout


def test_json_of_several_files_is_a_list_in_the_order_given(tmp_path: Path) -> None:
    """`--format json` over several files: a list, each the single-file object of its file."""
    paths = make_rosters(tmp_path / "报送")
    result = run("validate", paths[11], paths[3], "-p", GUANGXI, "-f", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    payload = json.loads(result.stdout)
    assert [item["file"] for item in payload] == [str(paths[11]), str(paths[3])]
    single = json.loads(run("validate", paths[5], "-p", GUANGXI, "-f", "json", cwd=tmp_path).stdout)
    assert set(payload[0]) == set(single)
    (finding,) = payload[1]["findings"]
    assert finding["rule"] == "duplicate-person" and "报送11.xlsx" in finding["message"]
    assert make_resident_id("45010219750101015") not in result.stdout  # masked


def test_an_unreadable_file_is_one_line_and_a_summary_row(tmp_path: Path) -> None:
    """A file that is not a workbook: one error line on stderr naming it, a row with its
    status in 汇总.xlsx and the JSON list, the others still checked; exit 2."""
    paths = make_rosters(tmp_path / "报送")
    for index in range(4, FILES + 1):
        paths[index].unlink()
    (tmp_path / "报送" / "损坏.xlsx").write_text("姓名,身份证号\n", encoding="utf-8")
    result = run("validate", "报送", "-p", GUANGXI, "--annotate-dir", "结果", "-f", "json",
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("错误：")]
    assert len(errors) == 1 and "损坏.xlsx" in errors[0]
    assert "Traceback" not in result.stderr
    payload = json.loads(result.stdout)
    assert [Path(item["file"]).name for item in payload] == [
        "报送01.xlsx", "报送02.xlsx", "报送03.xlsx", "损坏.xlsx"
    ]  # fmt: skip
    assert "error" in payload[3] and "findings" in payload[0]
    sheet = openpyxl.load_workbook(tmp_path / "结果" / "汇总.xlsx").active
    assert sheet is not None
    broken = next(row for row in sheet.iter_rows(values_only=True) if row[1] == "损坏.xlsx")
    assert str(broken[7]).startswith("无法读取")
    assert not (tmp_path / "结果" / "损坏-标注.xlsx").exists()
    assert (tmp_path / "结果" / "报送01-标注.xlsx").exists()


def test_each_table_of_a_batch_stops_and_sums_up(tmp_path: Path) -> None:
    """In table form each file's findings stop at --max-rows with the summary by rule, and
    the 汇总 table follows."""
    paths = make_rosters(tmp_path / "报送")
    rows = [[f"错{n}", "男", "4501021980010100", "焊工", "高级工", "2008-01-01", "技师", "脱产",
             "合格", "某校"] for n in range(30)]  # fmt: skip
    write_rows(tmp_path / "bad.xlsx", [HEADER, *rows])
    result = run("validate", "bad.xlsx", paths[1], "-p", GUANGXI, "--max-rows", "5", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "以上仅列出前 5 条问题，共 30 条" in result.stdout
    assert "问题按规则汇总" in result.stdout
    assert result.stdout.index("问题按规则汇总") < result.stdout.index("汇总（2 个文件）")


def test_subsidy_over_two_files_is_one_schedule_and_one_run(tmp_path: Path) -> None:
    """`subsidy A B --out --commit`: one payout schedule holding both files' lines, one run in
    the ledger paying their sum, JSON lines naming their file."""
    paths = make_rosters(tmp_path / "报送")
    ledger = tmp_path / "台账.sqlite3"
    result = run("subsidy", paths[1], paths[2], "-p", GUANGXI, "--out", "发放.xlsx", "--commit",
                 "--ledger", ledger, "-f", "json", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    paid = rows_of(1) + rows_of(2)
    assert payload["paid"] == paid and Decimal(payload["total"]) == PER_TRAINEE * paid
    assert {line["file"] for line in payload["lines"]} == {str(paths[1]), str(paths[2])}
    assert [f["total"] for f in payload["files"]] == [
        str(PER_TRAINEE * rows_of(1)), str(PER_TRAINEE * rows_of(2))
    ]  # fmt: skip
    book = openpyxl.load_workbook(tmp_path / "发放.xlsx")
    cells = {str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r}
    assert {f"学员1-{n}" for n in range(rows_of(1))} <= cells
    assert {f"学员2-{n}" for n in range(rows_of(2))} <= cells
    listing = run("ledger", "list", "--ledger", ledger, cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    from skillpolicy.ledger.sqlite import SqliteLedger

    with SqliteLedger(ledger, create=False) as opened:
        (only,) = opened.runs()
    assert only.line_count == paid and only.total == PER_TRAINEE * paid


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--annotate", "m.xlsx"], "--annotate-dir"),
        (["--annotate-dir", "报送"], "不能写进被核对的文件夹"),
    ],
)
def test_batch_options_misused_are_one_line(tmp_path: Path, extra: list[str], words: str) -> None:
    """--annotate with several files, or copies into the folder being read: one line, exit 2."""
    make_rosters(tmp_path / "报送")
    result = run("validate", "报送", "-p", GUANGXI, *extra, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and words in result.stderr
    assert not (tmp_path / "m.xlsx").exists()


def test_a_progress_bar_of_files_on_a_terminal(tmp_path: Path) -> None:
    """With stderr a terminal the batch shows a bar counting files (not the cron lines), and
    stdout stays clean of it."""
    make_rosters(tmp_path / "报送")
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [skillpolicy_script(), "validate", "报送", "-p", GUANGXI, "-f", "json"],
            cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE, stderr=follower,
            check=False, timeout=300,
        )  # fmt: skip
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert result.returncode == 1
    shown = seen.decode("utf-8", "replace")
    assert "正在核对" in shown and f"/{FILES}" in shown and "已核对 " not in shown
    assert len(json.loads(result.stdout)) == FILES


def test_each_file_of_a_batch_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """validate and subsidy batches open each workbook once (keys, findings and amounts from
    the same reading), and still find the shared people and the payable amounts."""
    from skillpolicy.io.sheet import SheetReader

    opened: list[Path] = []

    def counting(path: Path, *args: Any, **options: Any) -> Any:
        opened.append(path)
        return SheetReader(path, *args, **options)

    monkeypatch.setattr("skillpolicy.check.validate.SheetReader", counting)
    paths = make_rosters(tmp_path / "报送")
    program = load_program(GUANGXI, SearchPath("catalogs"))
    files = [paths[3], paths[11], paths[5]]
    for mode in ("validate", "subsidy"):
        opened.clear()
        batch = check_batch(files, program, mode=mode, workers=1)
        assert sorted(opened) == sorted(files)
        assert [r.errors for r in batch.files] == [1, 1, 0]
        assert [r.payable for r in batch.files] == [
            PER_TRAINEE * (rows_of(i) - (i != 5)) for i in (3, 11, 5)
        ]


def _examples() -> list[Any]:
    from skillpolicy.io.examples import bundled_examples
    from skillpolicy.io.resources import shipped_dir

    return bundled_examples(shipped_dir("examples"))


@pytest.mark.parametrize("example", _examples(), ids=lambda e: e.path.stem)
def test_one_reading_answers_as_validate_and_subsidy_do(example: Any, tmp_path: Path) -> None:
    """validate_and_compute gives validate_sheet's report and compute_subsidy's payout (or
    its error) for every bundled example, also against a ledger that paid part of it."""
    from skillpolicy.check.validate import validate_sheet
    from skillpolicy.compute.paycommit import commit_payout
    from skillpolicy.compute.subsidy import compute_subsidy, validate_and_compute
    from skillpolicy.domain.errors import SkillpolicyError
    from skillpolicy.ledger.sqlite import SqliteLedger
    from skillpolicy.loading.programfiles import list_programs
    from skillpolicy.policy.params import load_params

    search = SearchPath("catalogs")
    program = load_program(example.program, search)
    params_file = example.path.parent / "skillpolicy.toml"
    params = load_params(params_file, program, list_programs(search))
    options: dict[str, Any] = {"kind": example.kind, "search": search, "shown_name": "x.xlsx"}
    with SqliteLedger(tmp_path / "l.sqlite3", create=True) as ledger:
        try:
            earlier = compute_subsidy(example.path, program, params_file=params_file, **options)
        except SkillpolicyError:
            earlier = None
        if earlier is not None and earlier.count("paid"):
            earlier.lines = [line for line in earlier.lines if line.status == "paid"][:1]
            commit_payout(earlier, ledger, approval=("经办",))
        for book in (None, ledger):
            expected = validate_sheet(example.path, program, params=params, ledger=book, **options)
            report, payout = validate_and_compute(
                example.path, program, mode="validate", params=params, ledger=book, **options
            )
            assert report.to_json() == expected.to_json()
            try:
                paying = compute_subsidy(
                    example.path, program, params_file=params_file, ledger=book, **options
                )
            except SkillpolicyError as error:
                assert payout is None
                with pytest.raises(SkillpolicyError) as stopped:
                    validate_and_compute(
                        example.path, program, mode="subsidy", params=params, ledger=book, **options
                    )
                assert str(stopped.value) == str(error)
                continue
            assert payout is not None and payout.total == paying.total
            assert [line.to_json() for line in payout.lines] == [
                line.to_json() for line in paying.lines
            ]
            report, payout = validate_and_compute(
                example.path, program, mode="subsidy", params=params, ledger=book, **options
            )
            assert payout is not None
            assert payout.to_json() == paying.to_json()
            assert report.to_json() == paying.report.to_json()


def test_a_schedule_over_several_files_names_the_file_of_each_row(tmp_path: Path) -> None:
    """The payout schedule of several files says 报送03.xlsx 第N行 where one file's says
    原表第N行, on the payee sheets and on 未发放 (the shared person refused in both files)."""
    from skillpolicy.outputs.payouts import write_payout_workbook
    from skillpolicy.tasks.batch import merged_payout

    paths = make_rosters(tmp_path / "报送")
    program = load_program(GUANGXI, SearchPath("catalogs"))
    batch = check_batch([paths[3], paths[11]], program, mode="subsidy", workers=1)
    out = tmp_path / "发放.xlsx"
    write_payout_workbook(merged_payout(batch), out)
    book = openpyxl.load_workbook(out)
    cells = {str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r}
    last3, last11 = rows_of(3) + 1, rows_of(11) + 1
    assert {f"报送03.xlsx 第{n}行" for n in range(2, last3)} <= cells  # paid, payee sheet
    assert {f"报送11.xlsx 第{n}行" for n in range(2, last11)} <= cells
    pending = book["未发放"]
    held = {str(c.value) for r in pending.iter_rows() for c in r}
    assert {f"报送03.xlsx 第{last3}行", f"报送11.xlsx 第{last11}行"} <= held
    assert not any(value.startswith("原表第") for value in cells)
    single = tmp_path / "单个.xlsx"
    from skillpolicy.compute.subsidy import compute_subsidy

    write_payout_workbook(compute_subsidy(paths[5], program), single)
    one = {
        str(c.value)
        for s in openpyxl.load_workbook(single).worksheets
        for r in s.iter_rows()
        for c in r
    }
    assert "原表第2行" in one and not any("报送05.xlsx 第" in value for value in one)
