"""Personal data (issue 6, part 4): identity, phone and account numbers are masked in every
terminal line, JSON document, log line and exception message; files are owner-only.

The big test runs every command over every example in examples/ and over broken rosters that
plant identity, phone and bank account numbers in cells whose errors quote them, collects
stdout, stderr (notes, log lines, error lines) and JSON, and greps it all for an unmasked
18- or 15-digit identity number, an 11-digit mobile number and a 16–19 digit account number,
and for each planted number as written. The workbooks and documents the clerk asked for are
the only place full numbers may appear, and are not searched.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import ROOT, make_resident_id, skillpolicy_script, write_rows
from inprocess import Outcome, run_main
from skillpolicy.domain.errors import InputError
from skillpolicy.domain.findings import Finding
from skillpolicy.domain.identifiers import check_credit_code
from skillpolicy.domain.privacy import RedactingStream, redact, redact_strictly
from skillpolicy.ledger.sqlite import SqliteLedger
from skillpolicy.loading.programfiles import load_program

EXAMPLES = ROOT / "examples"
EXPECTED = ROOT / "tests" / "examples"
PARAMS = EXAMPLES / "skillpolicy.toml"

# What must never be printed: bounded so that masked forms, credit codes with letters, hashes
# and run ids do not match; full-width digits are folded to ASCII before searching.
UNMASKED = {
    "identity number": re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),
    "legacy identity number": re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])"),
    "mobile number": re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),
    "account number": re.compile(r"(?<![0-9A-Za-z])\d{16,19}(?![0-9A-Za-z])"),
}

ID_A = make_resident_id("45010219800101001")
ID_B = make_resident_id("45010219850202002")
ID_WRONG_CHECK = ID_A[:17] + ("0" if ID_A[17] != "0" else "1")
ID_LEGACY = "450102800101001"
ID_SPACED = f"{ID_B[:6]} {ID_B[6:14]} {ID_B[14:]}"
ID_FULL_WIDTH = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in ID_B)
MOBILE = "13812345678"
MOBILE_B = "+86 139-8765-4321"
ACCOUNT = "6222021234567890123"
ACCOUNT_SPACED = "6222 0212 3456 7890"


# --------------------------------------------------------------------------- the masks


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"身份证号{ID_A}校验位不符", f"身份证号{ID_A[:4]}**********{ID_A[-4:]}校验位不符"),
        ("11010119900307123x", "1101**********123x"),
        (ID_LEGACY, "4501*******1001"),
        (f"「{ID_SPACED}」", f"「{ID_B[:4]}** ******** {ID_B[-4:]}」"),
        (ID_FULL_WIDTH, ID_FULL_WIDTH[:4] + "*" * 10 + ID_FULL_WIDTH[-4:]),
        (f"电话{MOBILE}。", "电话138****5678。"),
        (MOBILE_B, "+86 139-****-4321"),
        ("8613812345678", "86138****5678"),
        (ACCOUNT, "6222***********0123"),
        (ACCOUNT_SPACED, "6222 **** **** 7890"),
    ],
)
def test_redact_masks_identity_phone_and_account_numbers(text: str, shown: str) -> None:
    """Identity (18/15-digit, spaced, full-width), mobile and account numbers are masked."""
    assert redact(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "911405021592673483",  # an all-digit unified social credit code: public
        "12140525386148154B",
        "运行 20261123125402-514bc0",
        "sha256 3fa2b1c9d0123456789012345678901e",
        "例如0771-5870650",  # the tool's own hint: a landline
        "2013-09-01 2013-10-15 合计 1,900.00 元，第 12 行",
        "桂人才通字〔2012〕11号",
    ],
)
def test_redact_leaves_codes_hashes_dates_and_amounts(text: str) -> None:
    """Credit codes, run ids, hashes, landline hints, dates and amounts are left as written."""
    assert redact(text) == text


def test_a_credit_code_that_reads_as_a_birth_date_is_masked() -> None:
    """An 18-digit number whose middle is a birth date is masked even if it passes GB 32100."""
    assert not check_credit_code(ID_A).ok or redact(ID_A) != ID_A
    assert redact(ID_A) == f"{ID_A[:4]}**********{ID_A[-4:]}"


def test_redact_strictly_also_hides_shorter_digit_runs() -> None:
    """Internal-error text also loses any run of 6+ digits (a fragment of a cell)."""
    assert redact_strictly(f"bad cell {ID_A[:14]} at 12") == "bad cell 45**********01 at 12"


def test_redact_handles_large_text_line_by_line() -> None:
    """A megabyte JSON document is masked where numbers are and otherwise returned unchanged."""
    filler = '  {"row": 5, "amount": "1900.00"},\n' * 40_000
    text = filler + f'  {{"name": "{ID_A}", "phone": "{MOBILE}"}}\n' + filler
    masked = redact(text)
    # plain booleans: pytest's diff of two megabyte strings would take minutes
    hidden = ID_A not in masked and MOBILE not in masked
    kept = len(masked) == len(text) and masked.startswith(filler) and masked.endswith(filler)
    assert hidden, "a number was left unmasked"
    assert kept, "text around the numbers changed"


def test_exception_and_finding_messages_are_masked() -> None:
    """An InputError or a Finding quoting a cell carries the number masked."""
    error = InputError(f"「{ID_A}」不是有效日期", file=f"名单{MOBILE}.xlsx", row=3)
    assert ID_A not in str(error) and MOBILE not in str(error) and ID_A not in error.message
    finding = Finding(3, "到课率", "attendance", "error", f"「{ACCOUNT}」不是比例", "文号")
    assert ACCOUNT not in finding.message and "6222" in finding.message


def test_redacting_stream_masks_whatever_is_written(capsys: pytest.CaptureFixture[str]) -> None:
    """The stream the CLI wraps stdout and stderr in masks every write and reports its length."""
    stream = RedactingStream(sys.stdout)
    assert stream.write(f"{ID_A}\n") == len(ID_A) + 1
    stream.flush()
    assert capsys.readouterr().out == f"{ID_A[:4]}**********{ID_A[-4:]}\n"
    assert stream.isatty() is sys.stdout.isatty()


# --------------------------------------------------------------------------- the big grep


def leaks(text: str, allowed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Unmasked numbers in ``text`` (after folding full-width digits), except ``allowed``."""
    folded = unicodedata.normalize("NFKC", text)
    found = []
    for kind, pattern in UNMASKED.items():
        for match in pattern.finditer(folded):
            if match.group(0) not in allowed:
                start = max(match.start() - 30, 0)
                found.append(f"{kind}: …{folded[start : match.end() + 10]}…")
    return found


def credit_codes() -> set[str]:
    """Every unified social credit code in the example workbooks (public, may be printed)."""
    codes: set[str] = set()
    for path in EXAMPLES.glob("*.xlsx"):
        book = openpyxl.load_workbook(path, read_only=True)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                codes.update(
                    value
                    for value in row
                    if isinstance(value, str) and len(value) == 18 and check_credit_code(value).ok
                )
        book.close()
    return codes


def example_cases() -> list[dict[str, Any]]:
    import tomllib

    cases: list[dict[str, Any]] = []
    for path in sorted(EXPECTED.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        cases.append({k: data[k] for k in ("example", "program", "kind") if k in data})
    return cases


RENDERS: list[list[str | Path]] = [
    ["guangxi-2012-application", "--data", EXAMPLES / "guangxi-2012-technician-application.xlsx"],
    ["jincheng-workstation-application", "--data", EXAMPLES / "jincheng-2022-workstation.xlsx"],
    ["jincheng-training-base-application", "--data",
     EXAMPLES / "jincheng-2022-training-base.xlsx"],
    ["xuchang-class-approval", "--data", EXAMPLES / "xuchang-2013-revitalization.xlsx"],
    ["payout-notice", "--data", EXAMPLES / "xuchang-2013-revitalization.xlsx",
     "--program", "xuchang-2013-revitalization", "--params", PARAMS],
    ["jincheng-notice", "--data", EXAMPLES / "jincheng-2022-workstation-designation.xlsx",
     "--program", "jincheng-2022-workstation", "--params", PARAMS, "--published", "2026-09-28"],
]  # fmt: skip


class Collector:
    """Runs commands in-process and keeps everything they printed."""

    def __init__(
        self, cwd: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.cwd, self.capsys, self.monkeypatch = cwd, capsys, monkeypatch
        self.outputs: list[tuple[str, str]] = []

    def run(self, *args: str | Path) -> Outcome:
        outcome = run_main(*args, cwd=self.cwd, capsys=self.capsys, monkeypatch=self.monkeypatch)
        label = " ".join(map(str, args))
        assert outcome.code in (0, 1, 2), f"{label}: exit {outcome.code}\n{outcome.err}"
        assert "Traceback" not in outcome.err, f"{label}: {outcome.err}"
        self.outputs.append((label, outcome.out + outcome.err))
        return outcome

    def add(self, label: str, text: str) -> None:
        self.outputs.append((label, text))

    def text(self) -> str:
        return "\n".join(text for _, text in self.outputs)

    def assert_no_leaks(self, allowed: set[str], needles: list[str] = []) -> None:  # noqa: B006
        problems = []
        for label, text in self.outputs:
            problems += [f"{label}: {leak}" for leak in leaks(text, allowed)]
            folded = unicodedata.normalize("NFKC", text)
            squeezed = re.sub(r"[\s\-+]", "", folded)
            for needle in needles:
                plain = re.sub(r"[\s\-+]", "", unicodedata.normalize("NFKC", needle))
                if needle in text or plain in squeezed:
                    problems.append(f"{label}: planted {needle!r} printed unmasked")
        assert problems == [], "\n".join(problems[:20])


def _report(cwd: Path, ledger: Path, month: str) -> subprocess.CompletedProcess[str]:
    """report monthly in a real process: its log handler belongs to one process's stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLPOLICY_")}
    return subprocess.run(
        [skillpolicy_script(), "report", "monthly", "--ledger", str(ledger),
         "--out", str(cwd / "月报"), "--month", month],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
        check=False,
    )  # fmt: skip


def test_every_command_over_every_example_prints_no_unmasked_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """validate/subsidy/levy (table, JSON, --annotate, --out, --commit), render, template,
    ledger, report, programs, catalogs and demo over examples/: no unmasked number printed."""
    runs = Collector(tmp_path, capsys, monkeypatch)
    ledger = tmp_path / "台账.sqlite3"
    for n, case in enumerate(example_cases()):
        sheet = EXAMPLES / case["example"]
        common: list[str | Path] = ["--program", case["program"], "--params", PARAMS]
        common += ["--kind", case["kind"]] if "kind" in case else []
        if case["example"].endswith("-levy.xlsx"):
            runs.run("levy", sheet, "--program", case["program"], "--format", "json")
            runs.run("levy", sheet, "--program", case["program"], "--out", f"征收{n}.xlsx")
            continue
        runs.run("validate", sheet, *common)
        runs.run("validate", sheet, *common, "--format", "json", "--annotate", f"标注{n}.xlsx")
        runs.run("subsidy", sheet, *common, "--out", f"发放{n}.xlsx")
        runs.run("subsidy", sheet, *common, "--format", "json", "--ledger", ledger, "--commit")
        runs.run("validate", sheet, *common, "--ledger", ledger, "--format", "json")
    for render in RENDERS:
        runs.run("render", *render, "--out", "文书")
    runs.run("template", "xuchang-2013-revitalization", "--out", "空白.xlsx")
    runs.run("ledger", "list", "--ledger", ledger)
    runs.run("ledger", "export", "--ledger", ledger, "--out", "台账.xlsx")
    runs.run("programs")
    runs.run("program", "show", "xuchang-2013-revitalization", "--params", PARAMS)
    runs.run("catalog", "list")
    runs.run("catalog", "show", "guangxi-2012-shortage")
    runs.run("demo")
    report = _report(tmp_path, ledger, "2013-10")
    assert report.returncode == 0, report.stderr
    runs.add("report monthly", report.stdout + report.stderr)
    assert ID_A not in runs.text()
    # the examples' people were printed (masked): the search looked at real output
    assert re.search(r"\d{4}\*{10}[\dX]{4}", runs.text())
    runs.assert_no_leaks(credit_codes())


def _broken_rosters(folder: Path) -> list[tuple[list[str | Path], list[str]]]:
    """Rosters, an application sheet and a params file planting numbers where errors quote
    them: [(command arguments, planted numbers)]."""
    guangxi = write_rows(folder / "广西.xlsx", [
        ["学员花名册"],
        ["姓名", "性别", "身份证号", "联系电话", "银行卡号", "职业(工种)", "现等级", "取证日期",
         "申报等级", "培训形式", "鉴定结果", "培训机构"],
        ["张三", "男", ID_WRONG_CHECK, MOBILE, ACCOUNT, "焊工", "高级工", dt.date(2008, 1, 1),
         "技师", "脱产", "合格", "广西桂南技师学院"],
        ["李四", "女", ID_SPACED, "1381234567", ACCOUNT_SPACED, "车工", ID_A, ID_B, MOBILE,
         ACCOUNT, MOBILE_B, ACCOUNT],
        [ID_A, "男", ID_FULL_WIDTH, MOBILE_B, None, MOBILE, "技师", MOBILE, "高级技师", "脱产",
         ID_LEGACY, MOBILE],
        ["王五", "男", ID_LEGACY, None, None, ACCOUNT, "技师", ACCOUNT, ID_B, "脱产", None, ID_B],
        ["赵六", "女", 450102198001010011, None, None, "焊工", "技师", "2009-05-01", "高级技师",
         ID_A, "合格", "广西桂南技师学院"],
    ])  # fmt: skip
    # the roster columns in the program file's order (what `skillpolicy template` writes)
    xuchang_header = list(load_program("xuchang-2013-revitalization").sheets["roster"].columns)
    xuchang = write_rows(folder / "许昌.xlsx", [
        xuchang_header,
        ["孙七", "男", ID_B, MOBILE, "城镇登记失业人员", "下岗失业人员培训", "就业技能培训", "焊工",
         "初级工", "许昌市技工学校", "魏都区", "2013-08-26", MOBILE, "2013-10-11", ID_A, ACCOUNT,
         MOBILE_B, ACCOUNT, ID_LEGACY],
        ["周八", "女", ID_A, ACCOUNT, ID_B, MOBILE, ACCOUNT, ID_LEGACY, MOBILE, ID_A, MOBILE,
         ID_B, "2013-09-02", ACCOUNT, "95%", 3, "合格", ID_B, "本人领取"],
    ])  # fmt: skip
    application = write_rows(folder / "申报.xlsx", [
        ["单位名称", "统一社会信用代码", "单位类型", "联系电话", "手机", "申报日期", "培训职业",
         "培训人数", "主体资格"],
        ["某某技工学校", ID_A, MOBILE, ID_B, "1281234567", ACCOUNT, ID_LEGACY, MOBILE, MOBILE_B],
    ])  # fmt: skip
    no_keys = write_rows(folder / "无表头.xlsx", [[ID_A, MOBILE, ACCOUNT], [ID_B, MOBILE, ID_A]])
    twice = write_rows(folder / "重复.xlsx", [
        ["姓名", "身份证号", "身份证号"], ["张三", ID_A, ID_B],
    ])  # fmt: skip
    params = folder / "参数.toml"
    params.write_text(
        f'[xuchang-2013-revitalization]\nappraisal_subsidy = "{ID_A}"\n'
        f'training_subsidy = {{ "就业技能培训" = "{MOBILE}", "创业培训" = "1000.00" }}\n',
        encoding="utf-8",
    )
    render_data = folder / "工作站.toml"
    render_data.write_text(
        f'[[documents]]\n单位名称 = "{ID_A}"\n手机 = {MOBILE}\n', encoding="utf-8"
    )
    planted = [ID_A, ID_B, ID_WRONG_CHECK, ID_LEGACY, ID_SPACED, ID_FULL_WIDTH, MOBILE,
               MOBILE_B, ACCOUNT, ACCOUNT_SPACED]  # fmt: skip
    guangxi_args: list[str | Path] = [guangxi, "--program", "guangxi-2012-technician"]
    xuchang_args: list[str | Path] = [xuchang, "--program", "xuchang-2013-revitalization",
                                      "--params", PARAMS]  # fmt: skip
    commands: list[list[str | Path]] = []
    for args in (guangxi_args, xuchang_args):
        commands += [
            ["validate", *args],
            ["validate", *args, "--format", "json", "--annotate", folder / "标注.xlsx"],
            ["subsidy", *args],
            ["subsidy", *args, "--format", "json", "--ledger", folder / "l.sqlite3", "--commit"],
        ]
    commands += [
        ["validate", application, "--program", "guangxi-2012-technician"],
        ["validate", application, "--program", "guangxi-2012-technician", "--format", "json"],
        ["validate", no_keys, "--program", "guangxi-2012-technician"],
        ["validate", twice, "--program", "guangxi-2012-technician"],
        ["subsidy", xuchang, "--program", "xuchang-2013-revitalization", "--params", params],
        [
            "render",
            "jincheng-workstation-application",
            "--allow-errors",
            "--data",
            render_data,
            "--out",
            "r",
        ],
        ["render", "xuchang-class-approval", "--data", xuchang, "--out", "r2"],
        [
            "render",
            "payout-notice",
            "--data",
            guangxi,
            "--program",
            "guangxi-2012-technician",
            "--out",
            "r3",
        ],
        ["validate", guangxi, "--program", "guangxi-2012-technician", "--as-of", ID_A],
        ["validate", guangxi, "--program", ID_A],
    ]
    return [(command, planted) for command in commands]


def test_broken_rosters_quote_planted_numbers_only_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Identity, phone and account numbers planted in cells whose errors quote them (dates,
    levels, ratios, counts, outcomes, names, params, render data) are printed only masked."""
    runs = Collector(tmp_path, capsys, monkeypatch)
    planted: list[str] = []
    for command, numbers in _broken_rosters(tmp_path):
        runs.run(*command)
        planted = numbers
    text = runs.text()
    # the cells were quoted, masked: the test saw the numbers' masked forms, not silence
    assert f"{ID_A[:4]}**********{ID_A[-4:]}" in text
    assert "138****5678" in text and "6222***********0123" in text
    runs.assert_no_leaks(set(), planted)


def test_an_internal_error_quoting_a_cell_is_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected exception carrying cell values exits 3 with every number in it masked,
    also with SKILLPOLICY_DEBUG=1 (the traceback goes through the same masking)."""
    import skillpolicy.cli.validate as validate_cli

    def explode(*args: Any, **kwargs: Any) -> None:
        raise ValueError(f"cell {ID_A} phone {MOBILE} card {ACCOUNT} part {ID_A[:12]}")

    monkeypatch.setattr(validate_cli, "validate_sheet", explode)
    sheet = EXAMPLES / "guangxi-2012-technician.xlsx"
    args: list[str | Path] = ["validate", sheet, "--program", "guangxi-2012-technician"]
    outcome = run_main(*args, cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert outcome.code == 3
    assert outcome.err_lines == [outcome.err.strip()]
    assert outcome.err.startswith("内部错误：ValueError: cell 4501**********")
    assert ID_A[:12] not in outcome.err and leaks(outcome.err) == []
    monkeypatch.setenv("SKILLPOLICY_DEBUG", "1")
    monkeypatch.setattr(sys, "argv", ["skillpolicy", *map(str, args)])
    from skillpolicy.cli import main

    with pytest.raises(SystemExit) as stop:
        main()
    err = capsys.readouterr().err
    assert stop.value.code == 3 and "Traceback" in err and "ValueError" in err
    assert leaks(err) == [] and MOBILE not in err


def test_an_internal_error_in_a_real_process_is_masked(tmp_path: Path) -> None:
    """The same in a real process started like the console script, stderr read as bytes."""
    driver = tmp_path / "driver.py"
    driver.write_text(
        "import sys\n"
        "import skillpolicy.cli.validate as v\n"
        "def explode(*a, **k):\n"
        f"    raise KeyError('{ID_A} {MOBILE} {ACCOUNT}')\n"
        "v.validate_sheet = explode\n"
        "from skillpolicy.cli import main\n"
        "sys.argv = ['skillpolicy', 'validate', sys.argv[1], '--program', "
        "'guangxi-2012-technician']\n"
        "main()\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLPOLICY_")}
    result = subprocess.run(
        [sys.executable, str(driver), str(EXAMPLES / "guangxi-2012-technician.xlsx")],
        cwd=tmp_path, env=env, capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    err = result.stderr.decode("utf-8")
    assert result.returncode == 3, err
    assert err.startswith("内部错误：KeyError") and leaks(err) == [], err


# --------------------------------------------------------------------------- permissions


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_files_the_tool_writes_are_owner_only(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    umask_022: None,
) -> None:
    """Under umask 022, payout and levy workbooks, annotated copies, rendered documents and
    their summary, ledger exports and the ledger are 0600; the monthly report and a blank
    template, which hold no identity number, follow the umask (0644)."""
    roster = EXAMPLES / "xuchang-2013-revitalization.xlsx"
    common: list[str | Path] = ["--program", "xuchang-2013-revitalization", "--params", PARAMS]
    runs = Collector(tmp_path, capsys, monkeypatch)
    runs.run("subsidy", roster, *common, "--out", "发放.xlsx", "--full-ids",
             "--ledger", "台账.sqlite3", "--commit")  # fmt: skip
    runs.run("validate", roster, *common, "--annotate", "标注.xlsx")
    runs.run("levy", EXAMPLES / "xuchang-2013-revitalization-levy.xlsx",
             "--program", "xuchang-2013-revitalization", "--out", "征收.xlsx")  # fmt: skip
    runs.run("template", "xuchang-2013-revitalization", "--out", "空白.xlsx")
    runs.run("render", *RENDERS[3], "--out", "文书")
    runs.run("ledger", "export", "--ledger", "台账.sqlite3", "--out", "台账.csv")
    runs.run("ledger", "export", "--ledger", "台账.sqlite3", "--out", "台账.xlsx", "--full-ids")
    report = subprocess.run(
        [skillpolicy_script(), "report", "monthly", "--ledger", "台账.sqlite3",
         "--out", "月报", "--month", "2013-10"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False, umask=0o022,
    )  # fmt: skip
    assert report.returncode == 0, report.stderr
    written = [
        tmp_path / name
        for name in ("发放.xlsx", "标注.xlsx", "征收.xlsx", "台账.csv", "台账.xlsx",
                     "台账.sqlite3")
    ]  # fmt: skip
    written += sorted((tmp_path / "文书").iterdir())
    public = [tmp_path / "空白.xlsx", *sorted((tmp_path / "月报" / "2013-10").iterdir())]
    assert len(public) == 3
    assert {str(p.relative_to(tmp_path)): oct(_mode(p)) for p in public} == {
        str(p.relative_to(tmp_path)): "0o644" for p in public
    }
    with SqliteLedger(tmp_path / "台账.sqlite3") as book:  # -wal and -shm exist while open
        assert book.runs()
        sidecars = list(tmp_path.glob("台账.sqlite3-*"))
        sidecar_modes = {p.name: oct(_mode(p)) for p in sidecars}
    assert len(sidecars) == 2 and set(sidecar_modes.values()) == {"0o600"}, sidecar_modes
    assert len(written) > 10
    modes = {str(p.relative_to(tmp_path)): oct(_mode(p)) for p in written if p.is_file()}
    assert {name for name, mode in modes.items() if mode != "0o600"} == set(), modes
    # the control: a file made the ordinary way here would have been world-readable
    (tmp_path / "control").write_text("x", encoding="utf-8")
    assert _mode(tmp_path / "control") == 0o644


def test_pdfs_from_libreoffice_are_made_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_022: None
) -> None:
    """A PDF LibreOffice writes with the umask is made 0600 before it is moved into place."""
    from skillpolicy.render import pdf

    document = tmp_path / "通知.docx"
    document.write_bytes(b"docx")

    def fake_soffice(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        out = Path(command[command.index("--outdir") + 1])
        for name in command[command.index("--outdir") + 2 :]:
            (out / f"{Path(name).stem}.pdf").write_bytes(b"%PDF-1.4")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(pdf, "soffice", lambda: "soffice")
    monkeypatch.setattr(subprocess, "run", fake_soffice)
    (made,) = pdf.convert_to_pdf([document], tmp_path)
    assert made == (tmp_path / "通知.pdf").resolve()
    assert _mode(made) == 0o600


def test_numbers_after_a_line_break_in_a_cell_are_masked_in_json(tmp_path: Path) -> None:
    """A number after a line break or tab inside a cell is masked in --format json too."""
    import json

    roster = tmp_path / "roster.xlsx"
    book = openpyxl.load_workbook(EXAMPLES / "guangxi-2012-technician.xlsx")
    sheet = book.worksheets[0]
    header = next(r for r in sheet.iter_rows() if any(c.value == "姓名" for c in r))
    columns = {c.value: c.column for c in header}
    header_row, name_column = header[0].row, columns["姓名"]
    assert header_row is not None and name_column is not None  # only merged cells lack them
    first = header_row + 1
    sheet.cell(first, name_column).value = "张三\n13812345678"
    sheet.cell(first + 1, name_column).value = "李四\t450102198003151014"
    book.save(roster)
    for command in ("validate", "subsidy"):
        done = subprocess.run(
            [skillpolicy_script(), command, str(roster), "--program", "guangxi-2012-technician",
             "--params", str(PARAMS), "--format", "json"],
            capture_output=True, text=True, cwd=tmp_path, check=False,
        )  # fmt: skip
        assert done.returncode in (0, 1), done.stderr
        decoded = json.dumps(json.loads(done.stdout), ensure_ascii=False)
        assert "13812345678" not in decoded and "450102198003151014" not in decoded, command
        assert "138****5678" in decoded or command == "validate"
