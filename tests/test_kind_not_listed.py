"""The ``not-listed`` rule kind (rules/kind_not_listed.py): a row's value must not be one of
the names any row of its group lists in another column (an expert listed as 回避专家)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import make_resident_id, write_rows
from skillpolicy.check.validate import Report, validate_sheet
from skillpolicy.domain.findings import Finding
from skillpolicy.loading.programcheck import check_program_file
from skillpolicy.loading.programfiles import load_program_file
from skillpolicy.tasks.explain import explain_row

CONTROL = Path(__file__).parent / "broken_catalogs" / "control" / "programs" / "valid-program.toml"
WEI = make_resident_id("45010219800315101")
COLUMNS = ["姓名", "身份证号", "所在企业", "专家", "回避专家"]

RULE = """[[rules]]
id = "conflict"
kind = "not-listed"
sheet = "roster"
clause = "三"
summary = "与本单位有利害关系的专家回避评审"
params = {{ column = "专家", listed_column = "回避专家"{extra} }}
"""
BY_UNIT = ', group = ["所在企业"]'


def _program(tmp_path: Path, rules: str, columns: list[str]) -> Path:
    """The control program with its roster's columns set and ``rules`` added."""
    text = CONTROL.read_text(encoding="utf-8").replace(
        'columns = ["姓名", "身份证号"]', f"columns = {columns!r}".replace("'", '"')
    )
    path = tmp_path / "programs" / "valid-program.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text + "\n" + rules, encoding="utf-8")
    return path


def _report(
    tmp_path: Path, rows: list[list[Any]], extra: str = BY_UNIT, tail: str = "", columns: Any = None
) -> Report:
    """Validate ``rows`` against the control program plus the not-listed rule."""
    columns = columns or COLUMNS
    path = _program(tmp_path, RULE.format(extra=extra) + tail, columns)
    sheet = write_rows(tmp_path / "roster.xlsx", [columns, *rows])
    return validate_sheet(sheet, load_program_file(path))


def _found(report: Report) -> list[Finding]:
    return [f for f in report.sorted_findings() if f.rule == "conflict"]


def _score(unit: str, expert: Any, listed: Any = None) -> list[Any]:
    return ["韦志强", WEI, unit, expert, listed]


def test_a_name_listed_on_any_row_of_the_group_is_a_finding_on_the_row_using_it(
    tmp_path: Path,
) -> None:
    """An expert listed by a later row of his unit is an error on his own row and column;
    the same expert scoring another unit passes."""
    rows = [
        _score("甲公司", "陈立新"),
        _score("甲公司", "周敏"),
        _score("乙公司", "陈立新"),
        _score("甲公司", "王五", "陈立新"),
    ]
    found = _found(_report(tmp_path, rows))
    assert [(f.row, f.column, f.severity) for f in found] == [(2, "专家", "error")]
    assert found[0].message == (
        "专家「陈立新」列在「甲公司」的回避专家中（第5行）；与本单位有利害关系的专家回避评审"
    )


def test_names_are_split_on_every_separator_and_compared_folded_without_spaces(
    tmp_path: Path,
) -> None:
    """、，,；;/ and spaces separate listed names; a value is compared full-width folded, without
    its spaces, case kept."""
    listed = "张三，李四;王五/ＡＢＣ 赵六、孙七"
    experts = ["张三", "李 四", "王五", "abc", "ABC", "赵六", "孙七", "钱八"]
    rows = [
        _score("甲公司", expert, listed if n == 0 else None) for n, expert in enumerate(experts)
    ]
    found = _found(_report(tmp_path, rows))
    assert [f.row for f in found] == [2, 3, 4, 6, 7, 8]
    assert "「李 四」" in found[1].message  # the name as the row wrote it


def test_only_whole_names_match(tmp_path: Path) -> None:
    """A value that contains a listed name, or is part of one, is not that name."""
    rows = [_score("甲公司", "张三丰", "张三"), _score("甲公司", "李", "李四")]
    assert _found(_report(tmp_path, rows)) == []


def test_blank_cells_list_nothing_and_are_not_checked(tmp_path: Path) -> None:
    """A blank expert is not checked; a blank or space-only 回避专家 cell lists nobody."""
    rows = [
        _score("甲公司", None, "陈立新"),
        _score("甲公司", "周敏", "   "),
        _score("甲公司", "  ", "、"),
    ]
    assert _found(_report(tmp_path, rows)) == []


def test_without_group_the_whole_sheet_is_one_group(tmp_path: Path) -> None:
    """Without ``group`` a name listed on any row is a finding on every row using it."""
    rows = [_score("甲公司", "陈立新"), _score("乙公司", "周敏", "陈立新")]
    rows.append(_score("丙公司", "陈立新"))
    found = _found(_report(tmp_path, rows, extra=""))
    assert [f.row for f in found] == [2, 4]
    assert "列在「本表」的回避专家中（第3行）" in found[0].message


def test_or_else_groups_by_the_fallback_when_the_group_cell_is_blank(tmp_path: Path) -> None:
    """A blank 统一社会信用代码 falls back to 单位名称; a filled one groups by the code."""
    columns = ["姓名", "身份证号", "单位名称", "统一社会信用代码", "专家", "回避专家"]
    extra = (
        ', group = ["统一社会信用代码"], or_else = { "统一社会信用代码" = "单位名称" },'
        ' label = "单位名称"'
    )
    code = "91140500MA0KXXXX0X"
    rows: list[list[Any]] = [
        ["韦志强", WEI, "甲公司", code, "陈立新", None],
        ["韦志强", WEI, "甲公司（简称）", code, "周敏", "陈立新"],
        ["韦志强", WEI, "乙公司", None, "陈立新", None],
        ["韦志强", WEI, "乙公司", None, "王五", "王五"],
    ]
    found = _found(_report(tmp_path, rows, extra=extra, columns=columns))
    assert [(f.row, f.message.split("；")[0]) for f in found] == [
        (2, "专家「陈立新」列在「甲公司」的回避专家中（第3行）"),
        (5, "专家「王五」列在「乙公司」的回避专家中（第5行）"),
    ]


def test_a_message_template_replaces_the_wording(tmp_path: Path) -> None:
    """``messages.listed`` with its placeholders replaces the kind's own message."""
    extra = (
        BY_UNIT
        + ', messages = { listed = "{value}回避{group}（{listed_column}，第{listed_row}行）" }'
    )
    rows = [_score("甲公司", "陈立新", "陈立新")]
    assert [f.message for f in _found(_report(tmp_path, rows, extra=extra))] == [
        "陈立新回避甲公司（回避专家，第2行）"
    ]


def test_missing_columns_skip_the_rule_with_the_reason(tmp_path: Path) -> None:
    """Without the checked column, the listing column or a group column the rule is skipped,
    naming the column it lacks."""
    for absent in ("专家", "回避专家", "所在企业"):
        columns = [c for c in COLUMNS if c != absent]
        row = _score("甲公司", "陈立新", "陈立新")
        kept = [v for c, v in zip(COLUMNS, row, strict=True) if c != absent]
        report = _report(tmp_path, [kept], columns=columns)
        assert _found(report) == []
        reasons = {spec.id: reason for spec, reason in report.skipped}
        assert f"「{absent}」" in reasons["conflict"], absent


def test_applies_when_leaves_other_rows_out_of_listing_and_checking(tmp_path: Path) -> None:
    """Rows outside ``applies_when`` neither list names nor are checked."""
    tail = 'applies_when = { column = "姓名", in = ["韦志强"] }\n'
    rows: list[list[Any]] = [
        ["李梅", WEI, "甲公司", "周敏", "陈立新"],
        ["韦志强", WEI, "甲公司", "陈立新", None],
        ["韦志强", WEI, "甲公司", "王五", "周敏"],
        ["李梅", WEI, "甲公司", "周敏", None],
    ]
    found = _found(_report(tmp_path, rows, tail=tail))
    assert found == []
    rows[0][0] = "韦志强"
    assert [f.row for f in _found(_report(tmp_path, rows, tail=tail))] == [2, 3]


def test_explain_shows_the_rule_failed_on_the_listed_row(tmp_path: Path) -> None:
    """`explain` of the conflicted row says the rule failed; of another row, passed."""
    rows = [_score("甲公司", "陈立新"), _score("甲公司", "周敏", "陈立新")]
    _report(tmp_path, rows)
    program = load_program_file(tmp_path / "programs" / "valid-program.toml")
    steps = {s.spec.id: s for s in explain_row(tmp_path / "roster.xlsx", program, 2).rules}
    assert steps["conflict"].outcome == "failed"
    assert "陈立新" in steps["conflict"].findings[0].message
    other = {s.spec.id: s for s in explain_row(tmp_path / "roster.xlsx", program, 3).rules}
    assert other["conflict"].outcome == "passed"


def test_program_check_names_bad_params_with_file_line_and_key(tmp_path: Path) -> None:
    """An or_else for a column not in group, and listed_column equal to column, are each a
    problem with file, line and key path."""
    bad = (
        RULE.format(extra=', or_else = { "所在企业" = "姓名" }')
        + "\n"
        + RULE.replace('id = "conflict"', 'id = "self"')
        .format(extra="")
        .replace('listed_column = "回避专家"', 'listed_column = "专家"')
    )
    path = _program(tmp_path, bad, COLUMNS)
    said = [str(p) for p in check_program_file(path)]
    assert any(
        ":28 rules[1].params.or_else.所在企业：「所在企业」不在 group 中" in line for line in said
    ), said
    assert any(
        ":36 rules[2].params.listed_column：" in line and "不能与 column 相同" in line
        for line in said
    ), said
