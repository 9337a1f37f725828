"""Sheet-level rule kinds: rules that look across the rows of a sheet (duplicate keys, …)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import make_resident_id, write_rows
from skillpolicy.check.validate import Report, validate_sheet
from skillpolicy.domain.findings import Finding
from skillpolicy.loading.programfiles import load_program_file
from skillpolicy.tasks.explain import explain_row

CONTROL = Path(__file__).parent / "broken_catalogs" / "control" / "programs" / "valid-program.toml"
WEI = make_resident_id("45010219800315101")
LI = make_resident_id("45010219850612202")


def _report(tmp_path: Path, rules: str, columns: list[str], rows: list[list[Any]]) -> Report:
    """Validate ``rows`` (under ``columns``) against the control program plus ``rules``."""
    text = CONTROL.read_text(encoding="utf-8").replace(
        'columns = ["姓名", "身份证号"]', f"columns = {columns!r}".replace("'", '"')
    )
    path = tmp_path / "programs" / "valid-program.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text + "\n" + rules, encoding="utf-8")
    sheet = write_rows(tmp_path / "roster.xlsx", [columns, *rows])
    return validate_sheet(sheet, load_program_file(path))


def _found(report: Report, rule: str) -> list[Finding]:
    return [f for f in report.sorted_findings() if f.rule == rule]


DUPLICATE = """[[rules]]
id = "twice"
kind = "duplicate"
sheet = "roster"
clause = "二"
summary = "同一人同一等级只补贴一次"
params = {{ columns = {columns} }}
"""


def _duplicate(columns: str, extra: str = "") -> str:
    return DUPLICATE.format(columns=columns) + extra


def test_duplicate_flags_every_later_row_of_a_key_naming_the_first(tmp_path: Path) -> None:
    """The first row of a key passes; the second and third each name the first row."""
    rows = [["韦志强", WEI, "技师"], ["李梅", LI, "技师"], ["韦志强", WEI, "技师"]]
    rows.append(["韦志强", WEI.lower(), "技师"])
    report = _report(
        tmp_path, _duplicate('["身份证号", "申报等级"]'), ["姓名", "身份证号", "申报等级"], rows
    )
    found = _found(report, "twice")
    assert [(f.row, f.column) for f in found] == [(4, "身份证号"), (5, "身份证号")]
    assert found[0].message == "与第2行的身份证号、申报等级相同；同一人同一等级只补贴一次"
    assert all(f.severity == "error" for f in found)


def test_duplicate_compares_levels_by_meaning(tmp_path: Path) -> None:
    """五级 and 初级工 are one level, so the same person at both is a repeat; 四级 is not."""
    rows = [["韦志强", WEI, "五级"], ["韦志强", WEI, "初级工"], ["韦志强", WEI, "四级"]]
    report = _report(
        tmp_path, _duplicate('["身份证号", "申报等级"]'), ["姓名", "身份证号", "申报等级"], rows
    )
    assert [f.row for f in _found(report, "twice")] == [3]


def test_duplicate_leaves_out_a_later_key_column_the_sheet_lacks(tmp_path: Path) -> None:
    """Without a 申报等级 column the key is the identity number alone."""
    rows = [["韦志强", WEI], ["韦志强", WEI]]
    report = _report(tmp_path, _duplicate('["身份证号", "申报等级"]'), ["姓名", "身份证号"], rows)
    assert [f.message for f in _found(report, "twice")] == [
        "与第2行的身份证号相同；同一人同一等级只补贴一次"
    ]


def test_duplicate_is_skipped_without_its_first_key_column(tmp_path: Path) -> None:
    """A sheet without the first key column skips the rule and says which column is missing."""
    rows = [["韦志强", WEI], ["韦志强", WEI]]
    report = _report(tmp_path, _duplicate('["证书编号"]'), ["姓名", "身份证号"], rows)
    assert _found(report, "twice") == []
    assert [(spec.id, "证书编号" in reason) for spec, reason in report.skipped] == [("twice", True)]


def test_duplicate_does_not_compare_blank_or_invalid_first_keys(tmp_path: Path) -> None:
    """Rows with a blank or invalid identity number are the identity rule's, not repeats."""
    rows = [["韦志强", ""], ["李梅", ""], ["韦志强", "123"], ["李梅", "123"]]
    report = _report(tmp_path, _duplicate('["身份证号"]'), ["姓名", "身份证号"], rows)
    assert _found(report, "twice") == []


def test_duplicate_required_column_blank_is_the_finding(tmp_path: Path) -> None:
    """A blank cell of a ``required`` key column is a finding with the file's blank message."""
    extra = 'params.required = ["证书编号"]\nparams.messages = { blank = "{column}未填" }\n'
    rule = DUPLICATE.format(columns='["证书编号"]').replace(
        'params = { columns = ["证书编号"] }\n', 'params.columns = ["证书编号"]\n' + extra
    )
    rows = [["韦志强", WEI, ""], ["李梅", LI, "A1"], ["韦志强", WEI, "A1"]]
    report = _report(tmp_path, rule, ["姓名", "身份证号", "证书编号"], rows)
    found = _found(report, "twice")
    assert [(f.row, f.message) for f in found] == [
        (2, "证书编号未填"),
        (4, "与第3行的证书编号相同；同一人同一等级只补贴一次"),
    ]


def test_duplicate_or_else_uses_the_fallback_column_when_blank(tmp_path: Path) -> None:
    """With ``or_else`` a blank key cell is replaced by the other column, named in the message."""
    extra = 'params.or_else = { "证书编号" = "姓名" }\n'
    extra += 'params.messages = { repeated = "{column}「{value}」同第{first}行" }\n'
    rule = DUPLICATE.format(columns='["证书编号"]').replace(
        'params = { columns = ["证书编号"] }\n', 'params.columns = ["证书编号"]\n' + extra
    )
    rows = [["韦志强", WEI, ""], ["韦 志强", LI, ""], ["李梅", LI, "A1"], ["李梅", WEI, "A1"]]
    report = _report(tmp_path, rule, ["姓名", "身份证号", "证书编号"], rows)
    found = _found(report, "twice")
    assert [(f.row, f.column, f.message) for f in found] == [
        (3, "姓名", "姓名「韦 志强」同第2行"),
        (5, "证书编号", "证书编号「A1」同第4行"),
    ]


def test_duplicate_applies_when_compares_only_rows_meeting_it(tmp_path: Path) -> None:
    """``applies_when`` leaves rows outside the condition out of the comparison."""
    extra = 'applies_when = { column = "申报等级", in = ["技师"] }\n'
    rows = [["韦志强", WEI, "高级技师"], ["韦志强", WEI, "技师"], ["韦志强", WEI, "技师"]]
    report = _report(
        tmp_path, _duplicate('["身份证号"]', extra), ["姓名", "身份证号", "申报等级"], rows
    )
    assert [f.row for f in _found(report, "twice")] == [4]


SHARE = """[[rules]]
id = "outside"
kind = "share"
sheet = "roster"
clause = "二"
severity = "warning"
summary = "外地院校不低于30%"
params = {{ group = "所在地", column = "本地院校", counted = "否", bound = "{bound}", value = "0.30"{extra} }}
"""
SHARE_COLUMNS = ["姓名", "身份证号", "所在地", "本地院校", "计划人数"]


def _share_rows(city: str, answers: str, count: int = 1) -> list[list[Any]]:
    return [["韦志强", WEI, city, "是" if a == "y" else "否", count] for a in answers]


def test_share_bound_words_decide_the_boundary(tmp_path: Path) -> None:
    """A group exactly at 30% meets 不低于 but misses 超过; one sheet-level finding per group."""
    rows = _share_rows("泉州市", "nnnyyyyyyy") + _share_rows("福州市", "nyyy")
    at_least = _report(tmp_path, SHARE.format(bound="不低于", extra=""), SHARE_COLUMNS, rows)
    found = _found(at_least, "outside")
    assert [(f.row, f.column, f.severity) for f in found] == [(None, "本地院校", "warning")]
    assert found[0].message == (
        "福州市：本地院校为“否”的1，占25%（共4），低于30%；外地院校不低于30%"
    )
    over = _report(tmp_path, SHARE.format(bound="超过", extra=""), SHARE_COLUMNS, rows)
    assert sorted(f.message.split("：")[0] for f in _found(over, "outside")) == ["泉州市", "福州市"]


def test_share_weight_sums_a_column_instead_of_counting_rows(tmp_path: Path) -> None:
    """With ``weight`` the share is of the column's sum: 3 of 10 planned is 30%, not 1 row in 2."""
    rows = _share_rows("泉州市", "n", 3) + _share_rows("泉州市", "y", 7)
    rule = SHARE.format(bound="不低于", extra=', weight = "计划人数"')
    assert _found(_report(tmp_path, rule, SHARE_COLUMNS, rows), "outside") == []
    rows = _share_rows("泉州市", "n", 2) + _share_rows("泉州市", "y", 8)
    found = _found(_report(tmp_path, rule, SHARE_COLUMNS, rows), "outside")
    assert [f.message for f in found] == [
        "泉州市：本地院校为“否”的2，占20%（共10），低于30%；外地院校不低于30%"
    ]


def test_share_leaves_out_blank_cells_and_reports_unreadable_ones(tmp_path: Path) -> None:
    """Blank answers and groups are not counted; an unreadable answer is an error on its cell."""
    rows = _share_rows("泉州市", "nyy")
    rows += [["韦志强", WEI, "泉州市", "", 1], ["韦志强", WEI, "", "是", 1]]
    rows += [["韦志强", WEI, "泉州市", "也许", 1]]
    found = _found(
        _report(tmp_path, SHARE.format(bound="不低于", extra=""), SHARE_COLUMNS, rows), "outside"
    )
    assert [(f.row, f.column, f.severity) for f in found] == [(7, "本地院校", "error")]


def test_share_is_skipped_without_its_columns(tmp_path: Path) -> None:
    """A sheet without the answer column skips the rule, naming the column."""
    columns = ["姓名", "身份证号", "所在地"]
    report = _report(
        tmp_path, SHARE.format(bound="不低于", extra=""), columns, [["韦志强", WEI, "泉州市"]]
    )
    assert [(spec.id, "本地院校" in reason) for spec, reason in report.skipped] == [
        ("outside", True)
    ]


def test_share_applies_when_counts_only_rows_meeting_it(tmp_path: Path) -> None:
    """Rows outside ``applies_when`` are not part of any group's share."""
    rule = (
        SHARE.format(bound="不低于", extra="")
        + 'applies_when = { column = "计划人数", in = ["1"] }\n'
    )
    rows = _share_rows("泉州市", "ny") + _share_rows("泉州市", "yyyy", 2)
    assert _found(_report(tmp_path, rule, SHARE_COLUMNS, rows), "outside") == []


COUNT = """[[rules]]
id = "experts"
kind = "distinct-count"
sheet = "roster"
clause = "三"
summary = "每个单位至少3位专家"
params = {{ column = "专家", group = ["所在企业"], except_column = "回避专家", bound = "{bound}", value = 3 }}
"""
COUNT_COLUMNS = ["姓名", "身份证号", "所在企业", "专家", "回避专家"]


def _scores(unit: str, experts: list[str], avoided: str = "") -> list[list[Any]]:
    return [["韦志强", WEI, unit, expert, avoided] for expert in experts]


def test_distinct_count_bound_decides_and_names_the_groups_first_row(tmp_path: Path) -> None:
    """Three different experts meet 不少于3 and miss 超过3; the finding is on the group's first row."""
    rows = _scores("甲公司", ["张三", "李四", "王五", "张 三"]) + _scores(
        "乙公司", ["张三", "李四"]
    )
    found = _found(_report(tmp_path, COUNT.format(bound="不少于"), COUNT_COLUMNS, rows), "experts")
    assert [(f.row, f.column, f.message) for f in found] == [
        (6, "专家", "「乙公司」的专家只有2个，少于3个；每个单位至少3位专家")
    ]
    found = _found(_report(tmp_path, COUNT.format(bound="超过"), COUNT_COLUMNS, rows), "experts")
    assert [f.row for f in found] == [2, 6]


def test_distinct_count_leaves_out_blank_and_excepted_values(tmp_path: Path) -> None:
    """Blank cells and values any of the group's rows lists in ``except_column`` are not counted."""
    rows = _scores("甲公司", ["张三", "李四", "王五", ""])
    rows.append(["韦志强", WEI, "甲公司", "", "王五、赵六"])
    found = _found(_report(tmp_path, COUNT.format(bound="不少于"), COUNT_COLUMNS, rows), "experts")
    assert [f.message for f in found] == ["「甲公司」的专家只有2个，少于3个；每个单位至少3位专家"]


def test_distinct_count_is_skipped_without_its_column(tmp_path: Path) -> None:
    """A sheet without the counted column skips the rule and names it."""
    columns = ["姓名", "身份证号", "所在企业"]
    report = _report(tmp_path, COUNT.format(bound="不少于"), columns, [["韦志强", WEI, "甲公司"]])
    assert [(spec.id, "专家" in reason) for spec, reason in report.skipped] == [("experts", True)]


def test_distinct_count_applies_when_counts_only_rows_meeting_it(tmp_path: Path) -> None:
    """Rows outside ``applies_when`` neither form a group nor add to one."""
    rule = (
        COUNT.format(bound="不少于") + 'applies_when = { column = "所在企业", in = ["甲公司"] }\n'
    )
    rows = _scores("甲公司", ["张三", "李四", "王五"]) + _scores("乙公司", ["张三"])
    assert _found(_report(tmp_path, rule, COUNT_COLUMNS, rows), "experts") == []


QUOTA = """[[rules]]
id = "places"
kind = "quota"
sheet = "roster"
clause = "五"
summary = "至多2个"
params = {{ counted = "是否授牌", rank = "评审得分", maximum = 2{extra} }}
"""
QUOTA_COLUMNS = ["姓名", "身份证号", "所在地", "是否授牌", "评审得分"]


def _units(city: str, scored: list[Any], designated: str = "是") -> list[list[Any]]:
    return [["韦志强", WEI, city, designated, score] for score in scored]


def _places(
    tmp_path: Path, rows: list[list[Any]], extra: str = "", tail: str = ""
) -> list[Finding]:
    rule = QUOTA.format(extra=extra) + tail
    return _found(_report(tmp_path, rule, QUOTA_COLUMNS, rows), "places")


def test_quota_refuses_the_rows_ranked_below_the_line(tmp_path: Path) -> None:
    """Three designated over a quota of two: one sheet finding, the lowest score refused."""
    rows = _units("泉州市", ["70", "90", "80"]) + _units("泉州市", ["99"], designated="否")
    found = _places(tmp_path, rows)
    assert [(f.row, f.column, f.severity) for f in found] == [
        (2, "是否授牌", "error"),
        (None, "是否授牌", "error"),
    ]
    assert found[0].message == "共3个，超过上限2个；本行评审得分70，排第3名，在名额之外；至多2个"
    assert found[1].message == "共3个，超过上限2个；至多2个"


def test_quota_at_the_maximum_passes(tmp_path: Path) -> None:
    """Exactly ``maximum`` designated rows is within the quota."""
    assert _places(tmp_path, _units("泉州市", [70, 90])) == []


def test_quota_ties_across_the_line_are_held_for_review(tmp_path: Path) -> None:
    """Rows tied on the score that straddles the line are each a review, not decided by order."""
    found = _places(tmp_path, _units("泉州市", ["90", "80", "80", "60"]))
    assert [(f.row, f.severity) for f in found if f.row] == [
        (3, "review"),
        (4, "review"),
        (5, "error"),
    ]
    assert found[0].message == (
        "共4个，超过上限2个；本行评审得分80，与第3行、第4行共2行并列第2名，名额只剩1个，待复核；至多2个"
    )


def test_quota_lowest_first_per_group_and_unscored_last(tmp_path: Path) -> None:
    """``order = "lowest"`` ranks small numbers first, per group; a blank score ranks last."""
    rows = _units("泉州市", ["3", "1", "2"]) + _units("福州市", ["", "1", "2"])
    found = _places(tmp_path, rows, ', order = "lowest", group = ["所在地"]')
    assert [(f.row, f.message) for f in found if f.row] == [
        (2, "泉州市共3个，超过上限2个；本行评审得分3，排第3名，在名额之外；至多2个"),
        (5, "福州市共3个，超过上限2个；本行没有评审得分，排第3名，在名额之外；至多2个"),
    ]


def test_quota_unreadable_counted_cell_is_an_error_on_it(tmp_path: Path) -> None:
    """A 是否授牌 cell that is not a yes or no is an error on that cell, and takes no place."""
    rows = _units("泉州市", [70, 90]) + _units("泉州市", [80], designated="也许")
    found = _places(tmp_path, rows)
    assert [(f.row, f.column, f.severity) for f in found] == [(4, "是否授牌", "error")]


def test_quota_is_skipped_without_its_counted_column(tmp_path: Path) -> None:
    """A sheet without the counted column skips the rule and names it."""
    columns = ["姓名", "身份证号", "评审得分"]
    report = _report(tmp_path, QUOTA.format(extra=""), columns, [["韦志强", WEI, 90]])
    assert [(spec.id, "是否授牌" in reason) for spec, reason in report.skipped] == [
        ("places", True)
    ]


def test_quota_applies_when_counts_only_rows_meeting_it(tmp_path: Path) -> None:
    """Rows outside ``applies_when`` take no place."""
    rows = _units("泉州市", [70, 90]) + _units("福州市", [80])
    tail = 'applies_when = { column = "所在地", in = ["泉州市"] }\n'
    assert _places(tmp_path, rows, tail=tail) == []


def test_share_among_reads_a_text_column_and_reports_at_the_named_column(tmp_path: Path) -> None:
    """With ``among`` only rows holding those values count; 4 of 5 合格 is exactly 80%."""
    rule = SHARE.format(bound="不低于", extra="").replace(
        'group = "所在地", column = "本地院校", counted = "否", bound = "不低于", value = "0.30"',
        'group = "所在地", column = "本地院校", among = ["合格", "不合格"], counted = "合格", '
        'bound = "不低于", value = "0.80", at = "所在地"',
    )
    rows = [["韦志强", WEI, "甲", "合格", 1] for _ in range(4)] + [
        ["韦志强", WEI, "甲", "不合格", 1]
    ]
    rows += [["韦志强", WEI, "乙", outcome, 1] for outcome in ("合格", "不合格", "未鉴定", "")]
    found = _found(_report(tmp_path, rule, SHARE_COLUMNS, rows), "outside")
    assert [(f.row, f.column, f.message) for f in found] == [
        (None, "所在地", "乙：本地院校为“合格”的1，占50%（共2），低于80%；外地院校不低于30%")
    ]


GROUP = """[[rules]]
id = "inspected"
kind = "group-number"
sheet = "roster"
clause = "四"
severity = "warning"
summary = "每班抽查不少于3次"
params = {{ group = ["培训机构", "开班日期"], label = ["培训机构"], column = "抽查次数", value = 3{extra} }}
"""
GROUP_COLUMNS = ["姓名", "身份证号", "培训机构", "开班日期", "抽查次数"]


def _inspected(
    tmp_path: Path, rows: list[list[Any]], extra: str = "", tail: str = ""
) -> list[Finding]:
    rule = GROUP.format(extra=extra) + tail
    return _found(_report(tmp_path, rule, GROUP_COLUMNS, rows), "inspected")


def test_group_number_takes_the_highest_and_flags_every_row_of_a_short_group(
    tmp_path: Path,
) -> None:
    """A class is its institution and start date (however written); its highest count decides."""
    rows: list[list[Any]] = [
        ["韦志强", WEI, "甲学校", "2013-03-01", 3],
        ["李梅", LI, "甲学校", "2013/3/1", ""],
        ["韦志强", WEI, "乙学校", "2013-03-01", 2],
        ["李梅", LI, "乙学校", "2013-03-01", 1],
    ]
    found = _inspected(tmp_path, rows)
    assert [(f.row, f.column, f.severity) for f in found] == [
        (4, "抽查次数", "warning"),
        (5, "抽查次数", "warning"),
    ]
    assert found[0].message == "乙学校（2行）的抽查次数为2，少于3；每班抽查不少于3次"


def test_group_number_sum_adds_the_rows_and_blank_is_zero(tmp_path: Path) -> None:
    """``of = "sum"`` adds the group's cells, a blank one as 0: 2 + 1 meets 不少于3."""
    rows: list[list[Any]] = [
        ["韦志强", WEI, "乙学校", "2013-03-01", 2],
        ["李梅", LI, "乙学校", "2013-03-01", 1],
        ["李梅", LI, "丙学校", "2013-03-01", ""],
    ]
    found = _inspected(tmp_path, rows, ', of = "sum"')
    assert [(f.row, f.message) for f in found] == [
        (4, "丙学校（1行）的抽查次数为0，少于3；每班抽查不少于3次")
    ]


def test_group_number_unreadable_cell_is_an_error_on_it(tmp_path: Path) -> None:
    """An unreadable count is an error on that cell and leaves the row out of its group."""
    rows: list[list[Any]] = [
        ["韦志强", WEI, "甲学校", "2013-03-01", 3],
        ["李梅", LI, "甲学校", "2013-03-01", "三次"],
    ]
    found = _inspected(tmp_path, rows)
    assert [(f.row, f.severity) for f in found] == [(3, "error")]


def test_group_number_is_skipped_without_its_column(tmp_path: Path) -> None:
    """A sheet without the number column skips the rule and names it."""
    columns = ["姓名", "身份证号", "培训机构", "开班日期"]
    report = _report(
        tmp_path, GROUP.format(extra=""), columns, [["韦志强", WEI, "甲学校", "2013-03-01"]]
    )
    assert [(spec.id, "抽查次数" in reason) for spec, reason in report.skipped] == [
        ("inspected", True)
    ]


def test_group_number_applies_when_leaves_other_rows_out(tmp_path: Path) -> None:
    """Rows outside ``applies_when`` belong to no group."""
    rows = [["韦志强", WEI, "甲学校", "2013-03-01", 3], ["李梅", LI, "乙学校", "2013-03-01", 1]]
    tail = 'applies_when = { column = "培训机构", in = ["甲学校"] }\n'
    assert _inspected(tmp_path, rows, tail=tail) == []


def test_explain_shows_a_sheet_level_kind_failing_on_its_row(tmp_path: Path) -> None:
    """`explain` of a repeated row and of a row beyond a quota shows those rules failed."""
    rule = _duplicate('["身份证号"]') + "\n" + QUOTA.format(extra="")
    rows = [["韦志强", WEI, "泉州市", "是", "90"], ["李梅", LI, "泉州市", "是", "80"]]
    rows.append(["韦志强", WEI, "泉州市", "是", "70"])
    _report(tmp_path, rule, QUOTA_COLUMNS, rows)
    program = load_program_file(tmp_path / "programs" / "valid-program.toml")
    steps = {s.spec.id: s for s in explain_row(tmp_path / "roster.xlsx", program, 4).rules}
    assert steps["twice"].outcome == "failed" and steps["places"].outcome == "failed"
    assert "第2行" in steps["twice"].findings[0].message
    first = {s.spec.id: s for s in explain_row(tmp_path / "roster.xlsx", program, 2).rules}
    assert first["twice"].outcome == "passed" and first["places"].outcome == "passed"
