"""Finding the header row passes over a row that names no column after folding each of its
cells once; the rows it finds, and what they map to, are those of the cell-by-cell mapping."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from skillpolicy.io.columns import ColumnSet, shared_columns
from skillpolicy.io.sheet import SheetReader, _detect

HERE = Path("roster.xlsx")
DATA_ROW = ["张三", "男", "450102199001011234", 1, 45000.0, "南宁市某某学校(分校)", None, "  "]


def _mapped(row: list[Any], kind: str) -> dict[str, int]:
    """The columns each cell names on a ``kind`` sheet, cell by cell (what _detect maps)."""
    columns = shared_columns()
    found: dict[str, int] = {}
    for position, value in enumerate(row):
        if isinstance(value, str) and value.strip():
            canonical = columns.canonical_header(value, kind)
            if canonical is not None:
                found.setdefault(canonical, position)
    return found


def test_a_data_row_is_passed_over_without_mapping_its_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A row none of whose cells names a column (a data row, one ending in a bracket
    included) is no header, found without looking up any cell on any kind of sheet."""
    calls: list[str] = []
    real = ColumnSet.canonical_header

    def counting(self: ColumnSet, text: str, kind: str) -> str | None:
        calls.append(text)
        return real(self, text, kind)

    monkeypatch.setattr(ColumnSet, "canonical_header", counting)
    assert _detect(DATA_ROW, None, HERE, "Sheet1", 5, 0) is None
    assert calls == []


@pytest.mark.parametrize(
    "row",
    [
        ["序号", "*姓名：", "身份证号码", "职业(工种)", "到课率（%）", "备注"],
        ["姓 名", "公民身份号码", "培训机构(全称)", "金额（元）"],
        ["单位名称", "是否授牌", "某某(说明)"],
        ["设区市", "企业名称", "计划人数（人）"],
    ],
)
def test_header_rows_map_as_cell_by_cell(row: list[Any]) -> None:
    """A header row written with stars, colons, spaces, aliases and bracketed notes is found
    with the columns the cell-by-cell mapping gives its kind."""
    found = _detect(row, None, HERE, "Sheet1", 1, 0)
    assert found is not None
    kind, columns, _headers, _unknown = found
    assert columns == _mapped(row, kind)


def test_the_header_below_data_like_rows_is_found(
    tmp_path: Path, xlsx: Callable[..., Path]
) -> None:
    """Title rows that look like data (numbers, bracketed names) are passed over and the
    header below them is found, its rows read from the next line."""
    rows: list[list[Any]] = [
        ["某某市职业技能培训花名册(2013年)"],
        DATA_ROW,
        ["序号", "姓名", "身份证号码（必填）", "培训机构"],
        [1, "李四", "450102199001011234", "某某学校(分校)"],
    ]
    reader = SheetReader(xlsx(tmp_path / "r.xlsx", rows))
    assert reader.layout.header_row == 3
    assert reader.layout.kind == "roster"
    assert reader.layout.columns == {"姓名": 1, "身份证号": 2, "培训机构": 3}
    assert [row.number for row in reader.rows()] == [4]
