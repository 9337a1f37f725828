"""The one loop (``validate.run_sheet``): every driver reads, checks and finishes a sheet
through it, and a consumer sees each checked row and then the late findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import make_resident_id, write_rows
from skillpolicy.check import validate
from skillpolicy.check.validate import HIDDEN_RULE, Report, run_sheet, validate_sheet
from skillpolicy.compute.levy import compute_levy
from skillpolicy.compute.subsidy import compute_subsidy, validate_and_compute
from skillpolicy.domain.errors import InputError
from skillpolicy.domain.findings import Finding
from skillpolicy.io.resources import SearchPath
from skillpolicy.loading.programfiles import load_program
from skillpolicy.policy.params import LocalParams
from skillpolicy.rules import RowView
from test_levy import EAST, WEST, levy_sheet

XUCHANG = "xuchang-2013-revitalization"
HEADER = ["姓名", "性别", "身份证号", "培训类别", "培训类型", "开班日期"]


def _roster(tmp_path: Path, *starts: dt.date) -> Path:
    """A Xuchang roster, one trainee per start date (a start after 2014 is outside the
    program's period: a sheet-level stale-program warning, known only at the end)."""
    rows: list[list[Any]] = [HEADER]
    for index, start in enumerate(starts):
        resident = make_resident_id(f"41100219900101{2 * index + 1:03d}")
        rows.append(["王五", "男", resident, "农村劳动力培训", "就业技能培训", start])
    return write_rows(tmp_path / "roster.xlsx", rows)


class _Recorder:
    """A consumer that writes down what the loop tells it."""

    def __init__(self, report: Report) -> None:
        self.rows_at_start = report.rows
        self.seen: list[tuple[int, list[str]]] = []
        self.late_findings: list[Finding] = []
        self.extra = Finding(None, None, "recorder", "review", "记录", "test")

    def row(self, view: RowView, findings: list[Finding]) -> None:
        self.seen.append((view.number, [f.rule for f in findings]))

    def late(self, findings: list[Finding]) -> list[Finding]:
        self.late_findings = list(findings)
        return [self.extra]


def test_a_consumer_sees_every_row_in_order_then_the_late_findings(tmp_path: Path) -> None:
    """run_sheet hands the consumer each checked row with its findings, then exactly the
    rules' late findings, and the findings it returns join the report."""
    program = load_program(XUCHANG)
    sheet = _roster(tmp_path, dt.date(2013, 9, 2), dt.date(2015, 1, 1), dt.date(2015, 3, 2))
    report, recorder = run_sheet(
        sheet,
        program,
        params=LocalParams(program, {}, None),
        search=SearchPath("catalogs"),
        consumer=_Recorder,
    )
    assert recorder is not None
    assert recorder.rows_at_start == 0  # made once the sheet is open, before any row
    assert [number for number, _ in recorder.seen] == [2, 3, 4]
    assert [f.rule for f in recorder.late_findings] == ["stale-program"]
    assert recorder.late_findings[0] in report.findings
    assert recorder.extra in report.findings
    assert report.rows == 3
    plain = validate_sheet(sheet, program)
    assert report.findings == [*plain.findings, recorder.extra]


def test_a_consumer_that_refuses_the_sheet_stops_the_run_before_any_row(tmp_path: Path) -> None:
    """An InputError from the consumer's maker stops the run: no rule is built, no row read."""
    program = load_program(XUCHANG)
    sheet = _roster(tmp_path, dt.date(2013, 9, 2))
    built: list[object] = []

    def refuse(report: Report) -> _Recorder:
        raise InputError("不收这张表", file=sheet)

    class Watching(validate.Checker):
        def __init__(self, context: Any) -> None:
            built.append(context)
            super().__init__(context)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validate, "Checker", Watching)
        with pytest.raises(InputError, match="不收这张表"):
            run_sheet(
                sheet,
                program,
                params=LocalParams(program, {}, None),
                search=SearchPath("catalogs"),
                consumer=refuse,
            )
        assert built == []
        validate_sheet(sheet, program)
        assert len(built) == 1  # the watch itself works


def test_validate_subsidy_and_levy_each_open_their_sheet_through_the_one_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, guangxi_roster: Callable[..., Path]
) -> None:
    """validate_sheet, compute_subsidy, validate_and_compute and compute_levy all read the
    sheet through run_sheet: each opens it once, by the loop's own open_sheet."""
    opened: list[Path] = []
    real_open = validate.open_sheet

    def counting(path: Path, *args: Any) -> Any:
        opened.append(path)
        return real_open(path, *args)

    monkeypatch.setattr(validate, "open_sheet", counting)
    guangxi = load_program("guangxi-2012-technician")
    roster = guangxi_roster()
    validate_sheet(roster, guangxi)
    assert compute_subsidy(roster, guangxi).count("paid") == 1
    _, payout = validate_and_compute(
        roster, guangxi, mode="validate", params=LocalParams(guangxi, {}, None)
    )
    assert payout is not None and payout.count("paid") == 1
    levy = levy_sheet(
        tmp_path / "levy.xlsx", [["许昌市东城机械制造有限公司", EAST, 2000000, "1.5%", "是", "否"]]
    )
    compute_levy(levy, load_program(XUCHANG))
    assert opened == [roster, roster, roster, levy]


def test_a_levy_sheet_with_hidden_rows_says_so_like_any_other_sheet(tmp_path: Path) -> None:
    """A hidden levy row with data is a sheet-level review finding of the levy's report, as
    on a roster; the lines are computed as before and nothing is a violation."""
    sheet = levy_sheet(
        tmp_path / "levy.xlsx",
        [
            ["许昌市东城机械制造有限公司", EAST, 2000000, "1.5%", "是", "否"],
            ["许昌瑞丰发制品有限公司", WEST, 800000, None, "否", "否"],
        ],
    )
    book = openpyxl.load_workbook(sheet)
    ws = book.active
    assert ws is not None
    ws.row_dimensions[4].hidden = True
    book.save(sheet)
    levy = compute_levy(sheet, load_program(XUCHANG))
    hidden = [f for f in levy.report.findings if f.rule == HIDDEN_RULE]
    assert [(f.row, f.severity) for f in hidden] == [(None, "review")]
    assert "第4行" in hidden[0].message
    assert [line.status for line in levy.lines] == ["levied", "exempt"]
    assert not levy.has_violations


def test_validate_and_subsidy_hear_their_progress_through_the_one_loop(
    monkeypatch: pytest.MonkeyPatch, guangxi_roster: Callable[..., Path]
) -> None:
    """The progress callback hears the rows done, every PROGRESS_EVERY rows, in validate and
    subsidy alike."""
    monkeypatch.setattr(validate, "PROGRESS_EVERY", 1)
    guangxi = load_program("guangxi-2012-technician")
    roster = guangxi_roster()
    heard: list[int] = []
    validate_sheet(roster, guangxi, progress=heard.append)
    compute_subsidy(roster, guangxi, progress=heard.append)
    assert heard == [1, 2, 1, 2]


def test_the_loop_runs_with_the_cyclic_collector_paused_and_restores_it(tmp_path: Path) -> None:
    """run_sheet holds the cyclic collector off while it checks the rows and turns it back on
    afterwards, also when the sheet is refused; a collector already off stays off."""
    import gc

    program = load_program(XUCHANG)
    sheet = _roster(tmp_path, dt.date(2013, 9, 2), dt.date(2013, 9, 3))
    seen: list[bool] = []

    def run(path: Path) -> None:
        run_sheet(
            path,
            program,
            params=LocalParams(program, {}, None),
            search=SearchPath("catalogs"),
            on_row=lambda _view: seen.append(gc.isenabled()),
        )

    assert gc.isenabled()
    run(sheet)
    assert seen == [False, False] and gc.isenabled()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(InputError):
        run(broken)
    assert gc.isenabled()
    gc.disable()
    try:
        run(sheet)
        assert not gc.isenabled()
    finally:
        gc.enable()
