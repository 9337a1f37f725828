"""Program facts live in program files: the money and the monthly report read them there."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from skillpolicy.loading.programfiles import list_programs, program_ids
from skillpolicy.policy.programs import InForce
from skillpolicy.report.model import (
    campaign_months,
    campaign_months_elapsed,
    campaign_of,
    rule_param,
)

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "skillpolicy"


def _program_words() -> list[str]:
    """Every id a program file holds (the program's own, its catalog's, its forms'), the
    prefix of each program id (``guangxi-2012-``) and the mark of a document number."""
    words = {"〔"}
    for path in sorted((ROOT / "catalogs" / "programs").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        program_id = str(data["id"])
        words |= {program_id, "-".join(program_id.split("-")[:2]) + "-"}
        if data.get("catalog"):
            words.add(str(data["catalog"]))
        words |= {str(form["id"]) for form in data.get("forms", [])}
    return sorted(words)


def _source_files() -> list[Path]:
    return [
        path
        for path in sorted(SRC.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    ]


def test_no_file_in_src_names_a_program_or_a_document_number() -> None:
    """No file in src/ holds a program, catalog or form id, an id's prefix, or a 〔."""
    words = _program_words()
    assert "〔" in words and len(words) > len(program_ids()), words
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {word}"
        for path in _source_files()
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1
        )
        for word in words
        if word in line
    ]
    assert hits == [], "program facts in src/:\n" + "\n".join(hits)


def test_campaign_and_its_months_come_from_in_force() -> None:
    """The campaign is the program in force for a closed period with targets; its months
    (24 for 2013-01-01 to 2014-12-31) and the elapsed months come from in_force."""
    campaign = campaign_of(list_programs())
    assert campaign is not None and campaign.in_force is not None
    assert campaign.in_force.to is not None
    assert campaign_months(campaign) == 24
    start = campaign.in_force.start
    assert campaign_months_elapsed(f"{start.year}-{start.month:02d}", campaign) == 1
    assert campaign_months_elapsed(f"{start.year - 1}-12", campaign) == 0
    assert campaign_months_elapsed(f"{start.year + 5}-01", campaign) == 24


def test_a_shorter_period_plans_over_fewer_months() -> None:
    """Changing in_force in the file changes the report's plan: one year is 12 months."""
    campaign = campaign_of(list_programs())
    assert campaign is not None and campaign.in_force is not None
    one_year = InForce.model_validate(
        {"from": dt.date(2013, 1, 1), "to": dt.date(2013, 12, 31), "clause": "二"}
    )
    shorter = campaign.model_copy(update={"in_force": one_year})
    assert campaign_months(shorter) == 12
    assert campaign_months_elapsed("2014-06", shorter) == 12


def test_thresholds_are_the_rules_params_with_their_citations() -> None:
    """The pass-rate floor and the inspections minimum are read from the rules that state them."""
    found = {
        program.id: (
            rule_param(program, "institution-standing", "value"),
            rule_param(program, "inspections", "value"),
        )
        for program in list_programs()
    }
    with_floor = {pid: pair for pid, pair in found.items() if pair[0] is not None}
    assert with_floor, "some shipped program states a pass-rate floor"
    for pid, (floor, inspections) in with_floor.items():
        assert floor is not None and floor[0] == "0.80"
        assert floor[1].startswith(next(p.document for p in list_programs() if p.id == pid))
        assert inspections is not None and inspections[0] == "3"
