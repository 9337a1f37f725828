"""Sheets as clerks make them: headers with units, quotation marks, title blocks, payees,
skipped rules, and a preview that reads the ledger the payment writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from conftest import Run, write_rows
from skillpolicy.check.validate import validate_sheet
from skillpolicy.io.sheet import SheetReader
from skillpolicy.ledger.sqlite import SqliteLedger
from skillpolicy.loading.programfiles import load_program

XUCHANG_HEADER = [
    "姓名", "性别", "身份证号", "人员类别", "培训类别", "培训类型", "职业(工种)", "培训机构",
    "开班审批日期", "开班日期", "到课率", "抽查次数", "鉴定结果", "证书编号", "补贴领取方式",
]  # fmt: skip
XUCHANG_ROW = [
    "王建伟", "男", "411002199308151018", "农村转移就业劳动者", "农村劳动力培训", "就业技能培训",
    "电焊工", "许昌技师学院", dt.date(2013, 9, 2), dt.date(2013, 9, 9), 0.92, 3, "合格",
    "1341000000123456", "本人领取",
]  # fmt: skip
XUCHANG_PARAMS = (
    '[xuchang-2013-revitalization]\nappraisal_subsidy = "150.00"\n'
    'training_subsidy = { "就业技能培训" = "800.00", "创业培训" = "1000.00" }\n'
)


def xuchang_sheet(
    path: Path, header: list[str] | None = None, changes: dict[str, Any] | None = None
) -> Path:
    """A one-row Xuchang roster whose header may be respelt and whose cells may be changed."""
    header = header or XUCHANG_HEADER
    row = list(XUCHANG_ROW)
    for column, value in (changes or {}).items():
        row[XUCHANG_HEADER.index(column)] = value
    return write_rows(path, [header, row])


def respelt(old: str, new: str) -> list[str]:
    return [new if column == old else column for column in XUCHANG_HEADER]


@pytest.mark.parametrize(
    "header", ["到课率（％）", "到课率(%)", "到课率（%）", "到课率 （百分比）"]
)
def test_header_with_a_bracketed_unit_is_matched(tmp_path: Path, header: str) -> None:
    """A header with a trailing bracketed unit or note is its column: 59% attendance is found."""
    path = xuchang_sheet(tmp_path / "r.xlsx", respelt("到课率", header), {"到课率": 0.59})
    report = validate_sheet(path, load_program("xuchang-2013-revitalization"))
    assert [f.rule for f in report.findings] == ["attendance"]
    assert report.skipped == []
    assert report.layout.headers["到课率"] == header


def test_bracketed_headers_that_are_names_keep_their_brackets(tmp_path: Path) -> None:
    """职业（工种） and 劳动合同期限（月） are their own columns, and 培训人数（人） is 培训人数."""
    path = write_rows(
        tmp_path / "a.xlsx",
        [
            ["姓名", "身份证号", "职业（工种）", "劳动合同期限（月）", "金额（元）"],
            ["张三", "1", "焊工", 6, 1],
        ],
    )
    assert set(SheetReader(path).layout.columns) == {
        "姓名",
        "身份证号",
        "职业(工种)",
        "劳动合同期限(月)",
    }
    path = write_rows(
        tmp_path / "b.xlsx", [["单位名称", "培训职业", "培训人数（人）"], ["甲", "焊工", 3]]
    )
    assert set(SheetReader(path).layout.columns) == {"单位名称", "培训职业", "培训人数"}


# --- a preview reads the ledger the payment writes ------------------------------------------


def _json(result: Any) -> Any:
    import json

    return json.loads(result.stdout)


def test_preview_reads_the_default_ledger_that_commit_writes(
    tmp_path: Path, run_cli: Run, private_data_home: Path
) -> None:
    """Without --ledger, subsidy and validate read the default ledger a commit writes; a read
    never creates it, and after the commit the preview pays what the commit would: nothing."""
    (tmp_path / "skillpolicy.toml").write_text(XUCHANG_PARAMS, encoding="utf-8")
    sheet = xuchang_sheet(tmp_path / "roster.xlsx")
    program = ("--program", "xuchang-2013-revitalization")
    default = private_data_home / "skillpolicy" / "ledger.sqlite3"
    before = run_cli("subsidy", sheet, *program, "--format", "json")
    assert (before.returncode, _json(before)["total"]) == (0, "950.00")
    assert run_cli("validate", sheet, *program).returncode == 0
    assert not default.exists()
    assert run_cli("subsidy", sheet, *program, "--commit").returncode == 0
    assert default.exists()
    after = run_cli("subsidy", sheet, *program, "--format", "json")
    assert after.returncode == 1
    assert _json(after)["total"] == "0.00"
    assert [r["rule"] for r in _json(after)["lines"][0]["reasons"]] == ["already-paid"]
    checked = run_cli("validate", sheet, *program, "--format", "json")
    assert checked.returncode == 1
    assert [f["rule"] for f in _json(checked)["findings"]] == ["already-paid"]


def test_a_recommit_that_pays_nothing_records_no_run(tmp_path: Path, run_cli: Run) -> None:
    """Committing a roster already paid records no run, says 没有可记入台账的发放行, exits 1."""
    (tmp_path / "skillpolicy.toml").write_text(XUCHANG_PARAMS, encoding="utf-8")
    sheet = xuchang_sheet(tmp_path / "roster.xlsx")
    program = ("--program", "xuchang-2013-revitalization")
    url = f"sqlite:///{tmp_path / 'book.sqlite3'}"
    first = run_cli("subsidy", sheet, *program, "--ledger", url, "--commit")
    assert first.returncode == 0, first.stderr
    again = run_cli("subsidy", sheet, *program, "--ledger", tmp_path / "book.sqlite3", "--commit")
    assert again.returncode == 1
    assert "没有可记入台账的发放行" in again.stderr
    assert "已记入台账" not in again.stderr
    book = SqliteLedger(tmp_path / "book.sqlite3", create=False)
    try:
        assert len(book.runs()) == 1
    finally:
        book.close()


# --- rules skipped for a missing column -------------------------------------------------------


def test_skipped_rule_is_in_json_table_and_annotated_copy(tmp_path: Path, run_cli: Run) -> None:
    """A rule skipped for a missing column is listed in --format json (naming the near-miss
    header), in the table's summary on stdout and on the annotated copy's 问题汇总 sheet."""
    import openpyxl

    sheet = xuchang_sheet(tmp_path / "roster.xlsx", respelt("到课率", "到课率%"), {"到课率": 0.59})
    program = ("--program", "xuchang-2013-revitalization")
    result = run_cli("validate", sheet, *program, "--format", "json")
    skipped = _json(result)["skipped"]
    assert [item["rule"] for item in skipped] == ["attendance"]
    assert "到课率%" in skipped[0]["reason"]
    table = run_cli("validate", sheet, *program, "--annotate", tmp_path / "marked.xlsx")
    assert "未检查 attendance" in table.stdout
    assert "到课率%" in table.stdout
    summary = openpyxl.load_workbook(tmp_path / "marked.xlsx")["问题汇总"]
    rows = [[cell.value for cell in row] for row in summary.iter_rows(min_row=2)]
    assert any(row[3] == "attendance" and "到课率%" in str(row[5]) for row in rows), rows


@pytest.mark.parametrize("header", ["到课率%", "出勤率", "到 课 率 %"])
def test_skipped_attendance_names_the_near_miss_header(tmp_path: Path, header: str) -> None:
    """A header that is almost 到课率 (or another word for it) is named in the skip reason."""
    path = xuchang_sheet(tmp_path / "r.xlsx", respelt("到课率", header))
    report = validate_sheet(path, load_program("xuchang-2013-revitalization"))
    ((spec, reason),) = report.skipped
    assert spec.id == "attendance"
    assert f"「{header}」" in reason


def test_skipped_is_always_in_the_json(tmp_path: Path, run_cli: Run) -> None:
    """`validate --format json` always carries "skipped", an empty list when every rule ran."""
    sheet = xuchang_sheet(tmp_path / "roster.xlsx")
    result = run_cli(
        "validate", sheet, "--program", "xuchang-2013-revitalization", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    assert _json(result)["skipped"] == []


# --- the header row and the title block above it ----------------------------------------------


def guangxi_rows() -> list[list[Any]]:
    from conftest import GUANGXI_ROSTER_HEADER, guangxi_clean_rows

    return [list(GUANGXI_ROSTER_HEADER), *guangxi_clean_rows()]


def test_label_value_title_block_does_not_make_a_roster_an_application(tmp_path: Path) -> None:
    """单位名称 | 南宁市高级技工学校 | 填表日期 | … above the header is a title row: the header
    row is the one naming the most columns, the sheet is a roster, the title gives facts."""
    title = ["单位名称", "南宁市高级技工学校", "填表日期", "2012年9月1日"]
    path = write_rows(tmp_path / "r.xlsx", [["学员花名册"], title, *guangxi_rows()])
    reader = SheetReader(path)
    assert (reader.layout.kind, reader.layout.header_row) == ("roster", 3)
    assert reader.layout.facts["单位名称"] == "南宁市高级技工学校"
    assert [row.number for row in reader.rows()] == [4, 5]
    report = validate_sheet(path, load_program("guangxi-2012-technician"))
    assert (report.rows, report.findings) == (2, [])


def test_the_header_row_is_the_one_naming_most_columns(tmp_path: Path) -> None:
    """Of several rows holding key headers in the top 50, the one naming most columns wins."""
    rows = [["姓名", "身份证号"], ["说明：下表每行一名学员"], *guangxi_rows()]
    reader = SheetReader(write_rows(tmp_path / "r.xlsx", rows))
    assert reader.layout.header_row == 3
    assert len(reader.layout.columns) == 9


@pytest.mark.parametrize(
    "title",
    [["培训机构：南宁市高级技工学校"], ["承训机构:", "南宁市高级技工学校", "填表人", "李明"]],
)
def test_payee_is_the_institution_named_above_the_header(
    tmp_path: Path, run_cli: Run, title: list[str]
) -> None:
    """A roster without a 培训机构 column pays the institution named in its title rows."""
    path = write_rows(tmp_path / "r.xlsx", [["学员花名册"], title, *guangxi_rows()])
    result = run_cli("subsidy", path, "--program", "guangxi-2012-technician", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert {line["payee"] for line in _json(result)["lines"]} == {"南宁市高级技工学校"}


def test_institution_option_names_the_payee(tmp_path: Path, run_cli: Run) -> None:
    """--institution names the payee of a sheet with no 培训机构 column and none in its title."""
    path = write_rows(tmp_path / "r.xlsx", [["学员花名册"], *guangxi_rows()])
    ledger = tmp_path / "book.sqlite3"
    args = ("subsidy", path, "--program", "guangxi-2012-technician", "--ledger", ledger)
    result = run_cli(*args, "--institution", "柳州市技工学校", "--format", "json", "--commit")
    assert result.returncode == 0, result.stderr
    assert _json(result)["lines"][0]["payee"] == "柳州市技工学校"
    assert _json(result)["total"] == "1900.00"


def test_unnamed_payee_is_computed_but_not_paid(tmp_path: Path, run_cli: Run) -> None:
    """With no institution anywhere the amounts are computed for 未注明培训机构 with a warning;
    --commit and --out stop with exit 2 saying what to add, and write nothing."""
    path = write_rows(tmp_path / "r.xlsx", [["学员花名册"], *guangxi_rows()])
    args = ("subsidy", path, "--program", "guangxi-2012-technician")
    preview = run_cli(*args, "--format", "json")
    assert preview.returncode == 0, preview.stderr
    assert _json(preview)["total"] == "1900.00"
    assert {line["payee"] for line in _json(preview)["lines"]} == {"未注明培训机构"}
    assert "未注明培训机构" in preview.stderr
    ledger, out = tmp_path / "book.sqlite3", tmp_path / "发放.xlsx"
    for extra in (("--ledger", ledger, "--commit"), ("--out", out)):
        stopped = run_cli(*args, *extra)
        assert stopped.returncode == 2
        assert len(stopped.stderr.strip().splitlines()) == 1
        assert "--institution" in stopped.stderr
    assert not ledger.exists()
    assert not out.exists()


# --- payout notices agree with the payment ----------------------------------------------------


def two_institution_rows(people: int = 2) -> list[list[Any]]:
    from conftest import GUANGXI_ROSTER_HEADER, guangxi_clean_rows

    institutions = ["南宁市高级技工学校", "柳州市技工学校"]
    rows = [
        [*row[:-1], "合格", institution]
        for row, institution in zip(guangxi_clean_rows(), institutions, strict=True)
    ]
    return [[*GUANGXI_ROSTER_HEADER, "培训机构"], *rows[:people]]


def notices(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.docx"))


def test_payout_notice_offers_only_what_subsidy_would_pay(
    tmp_path: Path, run_cli: Run, private_data_home: Path
) -> None:
    """render payout-notice reads the ledger a commit writes: a person already paid is not
    offered again, a payee with nothing payable gets no notice; --run prints what a run paid."""
    program = ("--program", "guangxi-2012-technician")
    first = write_rows(tmp_path / "first.xlsx", two_institution_rows(1))
    committed = run_cli("subsidy", first, *program, "--commit")
    assert committed.returncode == 0, committed.stderr
    second = write_rows(tmp_path / "second.xlsx", two_institution_rows(2))
    result = run_cli("render", "payout-notice", "--data", second, *program, "--out", tmp_path / "a")
    assert result.returncode == 0, result.stderr
    assert notices(tmp_path / "a") == ["补贴拨付通知-柳州市技工学校"]
    book = SqliteLedger(private_data_home / "skillpolicy" / "ledger.sqlite3", create=False)
    try:
        (run,) = book.runs()
    finally:
        book.close()
    for step, who in (("review", "李复核"), ("approve", "王审批")):  # notices follow 审批
        assert run_cli("ledger", step, run.run_id, "--by", who).returncode == 0
    printed = run_cli("render", "payout-notice", "--run", run.run_id, "--out", tmp_path / "b")
    assert printed.returncode == 0, printed.stderr
    assert notices(tmp_path / "b") == ["补贴拨付通知-南宁市高级技工学校"]
    from docx import Document

    text = "\n".join(
        cell.text
        for table in Document(str(tmp_path / "b" / "补贴拨付通知-南宁市高级技工学校.docx")).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "1,900.00" in text


def test_payout_notice_for_a_roster_already_paid_prints_nothing(
    tmp_path: Path, run_cli: Run
) -> None:
    """After a commit, the same roster's payout notice has nothing to offer: exit 2, no files."""
    program = ("--program", "guangxi-2012-technician")
    sheet = write_rows(tmp_path / "r.xlsx", two_institution_rows(2))
    ledger = ("--ledger", tmp_path / "book.sqlite3")
    assert run_cli("subsidy", sheet, *program, *ledger, "--commit").returncode == 0
    result = run_cli(
        "render", "payout-notice", "--data", sheet, *program, *ledger, "--out", tmp_path / "a"
    )
    assert result.returncode == 2
    assert "没有可发放的补贴" in result.stderr
    assert not (tmp_path / "a").exists()


# --- forms print what the sheet has ----------------------------------------------------------

INTERFACE_APPLICATION = [
    "单位名称", "统一社会信用代码", "单位类型", "行业主管部门", "单位负责人", "联系电话", "手机",
    "单位联系人", "通信地址", "邮编", "申报日期", "主体资格", "培训职业", "培训人数", "申报优势说明",
]  # fmt: skip


def test_guangxi_application_form_from_interface_columns(tmp_path: Path, run_cli: Run) -> None:
    """An application sheet with exactly INTERFACE.md's columns prints 附件2; the fields it
    lacks (联系人电话, 联系人手机) are left blank on the form."""
    from docx import Document

    row = ["南宁市高级技工学校", "", "技工院校", "自治区人社厅", "王强", "0771-5551234",
           "13907710001", "李明", "南宁市西乡塘区大学路1号", "530003", "2012-08-20",
           "高级技工学校", "焊工", 20, "有焊接实训基地"]  # fmt: skip
    sheet = write_rows(tmp_path / "附件2.xlsx", [["附件2"], INTERFACE_APPLICATION, row])
    out = tmp_path / "forms"
    result = run_cli("render", "guangxi-2012-application", "--data", sheet, "--out", out)
    assert result.returncode == 0, result.stderr
    (document,) = out.glob("*.docx")
    text = "\n".join(
        [p.text for p in Document(str(document)).paragraphs]
        + [c.text for t in Document(str(document)).tables for r in t.rows for c in r.cells]
    )
    assert "南宁市高级技工学校" in text
    assert "焊工" in text


def test_render_list_and_help_say_which_columns_a_form_requires(run_cli: Run) -> None:
    """render --list and render FORM --help name the columns a form cannot be made without."""
    listed = run_cli("render", "--list")
    assert "必需的列" in listed.stdout
    helped = run_cli("render", "guangxi-2012-application", "--help")
    assert helped.returncode == 0
    assert "guangxi-2012-application：单位名称" in helped.stdout
