"""`skillpolicy explain`: one row's rules, money and ledger, step by step with clauses."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import Run, write_rows
from skillpolicy.loading.programfiles import load_program
from skillpolicy.tasks.explain import explain_row

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
XUCHANG = "xuchang-2013-revitalization"
ROSTER = EXAMPLES / f"{XUCHANG}.xlsx"
PARAMS = EXAMPLES / "skillpolicy.toml"


def _json(result: Any) -> Any:
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """validate and subsidy JSON of the Xuchang example (the reference explain must agree with)."""
    import subprocess

    from conftest import cli_env, skillpolicy_script

    def run(*args: str) -> Any:
        result = subprocess.run(
            [skillpolicy_script(), *args], capture_output=True, text=True, env=cli_env(),
            cwd=tmp_path_factory.mktemp("ref"), check=False,
        )  # fmt: skip
        return _json(result)

    common = [str(ROSTER), "--program", XUCHANG, "--params", str(PARAMS), "--format", "json"]
    return {"validate": run("validate", *common), "subsidy": run("subsidy", *common)}


def test_every_rule_in_order_with_the_findings_validate_reports(
    run_cli: Run, validated: dict[str, Any]
) -> None:
    """For each row with findings, explain lists the program's rules in order, and the failed
    ones carry exactly the findings validate reports for that row."""
    order = [spec.id for spec in load_program(XUCHANG).rules_for("roster")]
    rows = sorted({f["row"] for f in validated["validate"]["findings"] if f["row"]})[:3]
    for row in rows:
        result = run_cli("explain", ROSTER, "--program", XUCHANG, "--row", str(row),
                         "--params", PARAMS, "--format", "json")  # fmt: skip
        payload = _json(result)
        assert [step["rule"] for step in payload["rules"]] == order
        explained = sorted(
            (f["rule"], f["message"]) for s in payload["rules"] for f in s["findings"]
        )
        expected = sorted(
            (f["rule"], f["message"]) for f in validated["validate"]["findings"] if f["row"] == row
        )
        assert explained == expected
        failed = {s["rule"] for s in payload["rules"] if s["outcome"] == "failed"}
        assert failed == {rule for rule, _ in expected}
        assert all(s["citation"].startswith("许政办〔2013〕52号") for s in payload["rules"])


def test_money_agrees_with_subsidy_and_names_its_sources(
    run_cli: Run, validated: dict[str, Any]
) -> None:
    """The explained line has the status, amount and payee subsidy computes, and each value it
    used names the local parameter and clause it came from."""
    paid = next(line for line in validated["subsidy"]["lines"] if line["status"] == "paid")
    result = run_cli("explain", ROSTER, "--program", XUCHANG, "--row", str(paid["row"]),
                     "--params", PARAMS, "--format", "json")  # fmt: skip
    money = _json(result)["money"]
    [line] = money["lines"]
    assert (line["status"], line["amount"], line["payee"]) == (
        paid["status"], paid["amount"], paid["payee"],
    )  # fmt: skip
    used = {step["step"]: step for step in money["steps"]}
    assert "采用 appraisal_subsidy" in used
    assert "本地参数" in used["采用 appraisal_subsidy"]["source"]
    assert "四(四)一" in used["采用 appraisal_subsidy"]["source"]
    assert line["ledger"].startswith("未指定台账")


def test_text_puts_the_clause_beside_every_rule_and_masks_ids(run_cli: Run) -> None:
    """The table form cites the clause on every rule line and prints no full identity number."""
    result = run_cli("explain", ROSTER, "--program", XUCHANG, "--row", "6", "--params", PARAMS)
    assert result.returncode == 0, result.stderr
    rule_lines = [line for line in result.stdout.splitlines() if re.match(r"\d+\. \[", line)]
    assert len(rule_lines) == len(load_program(XUCHANG).rules_for("roster"))
    assert all("【许政办〔2013〕52号" in line for line in rule_lines)
    assert "[未通过] attendance" in result.stdout
    assert not re.search(r"\d{17}[\dX]", result.stdout)
    assert "二、补贴" in result.stdout and "三、台账" in result.stdout


def test_rule_without_its_column_is_skipped_not_passed(tmp_path: Path, resident_id: Any) -> None:
    """A rule whose column the sheet lacks is explained as skipped with the reason."""
    sheet = write_rows(
        tmp_path / "roster.xlsx",
        [["姓名", "性别", "身份证号", "培训类型"],
         ["王五", "男", resident_id("41100219900101001"), "就业技能培训"]],
    )  # fmt: skip
    explanation = explain_row(sheet, load_program(XUCHANG), 2, params_file=PARAMS)
    steps = {step.spec.id: step for step in explanation.rules}
    assert steps["attendance"].outcome == "skipped"
    assert "到课率" in steps["attendance"].note
    assert steps["identity"].outcome == "passed"
    assert explanation.money_steps == []
    assert explanation.money_note.startswith("未能计算补贴：计算补贴需要的列缺失")


def test_money_not_computed_without_parameters_says_why(tmp_path: Path) -> None:
    """Without the local parameters, the rules are explained and the money says what is unset."""
    explanation = explain_row(ROSTER, load_program(XUCHANG), 6, params_file=None)
    assert explanation.rules
    assert explanation.money_note.startswith("未能计算补贴")
    assert "training_subsidy" in explanation.money_note


def test_row_that_is_not_data_exits_2(run_cli: Run) -> None:
    """--row pointing at the header or past the last row is one line on stderr and exit 2."""
    result = run_cli("explain", ROSTER, "--program", XUCHANG, "--row", "999", "--params", PARAMS)
    assert result.returncode == 2
    assert "第999行不是数据行" in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_ledger_says_when_a_line_was_paid(run_cli: Run, tmp_path: Path) -> None:
    """After subsidy --commit, explain --ledger names the run that paid the row's line."""
    ledger = tmp_path / "台账.sqlite3"
    committed = run_cli("subsidy", ROSTER, "--program", XUCHANG, "--params", PARAMS,
                        "--ledger", ledger, "--commit", "--format", "json")  # fmt: skip
    paid = next(line for line in _json(committed)["lines"] if line["status"] == "paid")
    result = run_cli("explain", ROSTER, "--program", XUCHANG, "--row", str(paid["row"]),
                     "--params", PARAMS, "--ledger", ledger, "--format", "json")  # fmt: skip
    [line] = _json(result)["money"]["lines"]
    assert line["ledger"].startswith("台账记载：已于")
    assert line["status"] == "refused"
    assert [r["rule"] for r in line["reasons"]] == ["already-paid"]


def test_an_all_of_rules_checks_each_read_on_a_line_of_their_own() -> None:
    """Under 标准, an all-of rule's checks are numbered lines of their own (not one long
    line), and a yes/no parameter reads 是/否 rather than Python's True/False."""
    roster = EXAMPLES / "guangxi-2012-technician.xlsx"
    explanation = explain_row(roster, load_program("guangxi-2012-technician"), 4)
    lines = explanation.text_lines()
    at = lines.index("   标准  checks：")
    assert lines[at + 1].startswith("           ① kind filled，column 姓名")
    assert lines[at + 2] == "           ② kind valid，columns 身份证号，blank_allowed 否"
    assert not any("True" in line or "False" in line for line in lines)
    identity = next(s for s in explanation.rules if s.spec.id == "identity")
    assert identity.bounds["checks"].endswith("blank_allowed 否")


def test_explain_checks_the_sheet_a_batch_at_a_time_with_validates_findings(
    monkeypatch: pytest.MonkeyPatch, validated: dict[str, Any]
) -> None:
    """explain checks the rows as validate does, a batch of columns at a time (never row by
    row, which took minutes on a 100,000-row sheet): every row with findings, the first and
    the last data rows and two clean rows get exactly validate's findings for that row."""
    from skillpolicy.check.validate import Checker

    def one_by_one(*_args: Any, **_options: Any) -> Any:
        raise AssertionError("a row checked on its own")

    monkeypatch.setattr(Checker, "check_row", one_by_one)
    program = load_program(XUCHANG)
    found = validated["validate"]["findings"]
    data_rows = sorted({line["row"] for line in validated["subsidy"]["lines"]})
    flagged = {f["row"] for f in found if f["row"]}
    clean = [row for row in data_rows if row not in flagged]
    assert flagged and clean
    for row in sorted({*flagged, data_rows[0], data_rows[-1], clean[0], clean[-1]}):
        explanation = explain_row(ROSTER, program, row, params_file=PARAMS)
        explained = sorted((f.rule, f.message) for s in explanation.rules for f in s.findings)
        expected = sorted((f["rule"], f["message"]) for f in found if f["row"] == row)
        assert explained == expected, row
