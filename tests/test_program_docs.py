"""docs/program-files.md: every key, rule kind and money method documented; mistakes true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from skillpolicy.io.columns import ColumnSpec
from skillpolicy.io.resources import SearchPath
from skillpolicy.loading.programcheck import RULE_PARAMS, check_program_file, search_beside
from skillpolicy.loading.programfiles import load_program, program_ids
from skillpolicy.policy.paymodel import (
    AmountPart,
    Condition,
    Factor,
    PayeeOption,
    Pending,
    Refusal,
    Rounding,
    Tranche,
)
from skillpolicy.policy.programs import (
    Amount,
    AppliesWhen,
    LocalParameter,
    Program,
    Rate,
    RuleSpec,
    Scoring,
    SheetSpec,
    SubsidySpec,
    Target,
)

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "program-files.md"
BROKEN = ROOT / "tests" / "broken_catalogs" / "programs"


def _text() -> str:
    return DOC.read_text(encoding="utf-8")


def test_doc_starts_with_an_english_summary_then_chinese() -> None:
    """The page opens with a short English summary; the body is Chinese."""
    text = _text()
    assert "**English summary.**" in text.split("---", 1)[0]
    assert "## 一、" in text and "## 七、常见错误" in text


@pytest.mark.parametrize(
    "model",
    [
        Program,
        SheetSpec,
        RuleSpec,
        SubsidySpec,
        LocalParameter,
        Amount,
        Rate,
        Target,
        AmountPart,
        Condition,
        Factor,
        Tranche,
        Refusal,
        Pending,
        PayeeOption,
        Rounding,
        Scoring,
        AppliesWhen,
        ColumnSpec,
    ],
)
def test_every_key_is_documented(model: type[BaseModel]) -> None:
    """Each key a program file may hold appears in the page as `key`, `[[key]]` or `[key.…]`."""
    text = _text()
    forms = ("`{}`", "`[[{}]]`", "`[{}.", "{} = ")
    keys = [field.alias or name for name, field in model.model_fields.items()]
    missing = [key for key in keys if not any(form.format(key) in text for form in forms)]
    assert not missing, missing


def test_every_rule_kind_has_a_heading_and_an_example() -> None:
    """Each rule kind is named in a heading and shown in a TOML example."""
    text = _text()
    headings = "\n".join(line for line in text.splitlines() if line.startswith("#### "))
    for rule_id in RULE_PARAMS:
        assert f"`{rule_id}`" in headings, rule_id
        assert f'id = "{rule_id}"' in text, rule_id


def test_every_shipped_money_method_has_an_example() -> None:
    """Each method a shipped program names has a section whose TOML example uses its pieces."""
    text = _text().split("## 六、", 1)[1].split("## 七、", 1)[0]
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    for program in (load_program(pid) for pid in program_ids()):
        for spec in program.subsidies:
            assert any(f"`{spec.method}`" in heading for heading in headings), spec.method
            assert f'method = "{spec.method}"' in text, spec.method
    for piece in ("parts", "factor", "tranches", "refuse", "rounding", "pending", "payee = ["):
        assert piece in text, piece


def test_common_mistakes_show_the_messages_program_check_gives() -> None:
    """Every message quoted under 常见错误 is what `program check` says for that broken file."""
    section = _text().split("## 七、常见错误", 1)[1]
    block = section.split("```text\n", 1)[1].split("```", 1)[0]
    quoted = [line for line in block.splitlines() if line and not line.startswith("#")]
    files = sorted({re.split(r"[: ]", line, maxsplit=1)[0] for line in quoted})
    assert len(files) >= 20
    for name in files:
        path = BROKEN / name
        problems = check_program_file(path, search_beside(path, SearchPath("catalogs")))
        said = [str(p).replace(f"{BROKEN}/", "") for p in problems]
        shown = [line for line in quoted if re.split(r"[: ]", line, maxsplit=1)[0] == name]
        assert shown == said, name
