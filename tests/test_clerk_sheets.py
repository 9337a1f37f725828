"""Sheets as clerks make them: headers with units, quotation marks, title blocks, payees,
skipped rules, and a preview that reads the ledger the payment writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from conftest import write_rows
from skillpolicy.programs import load_program
from skillpolicy.sheet import SheetReader
from skillpolicy.validate import validate_sheet

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
