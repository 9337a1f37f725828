"""docs/program-files.md: every key, rule kind and money method documented; mistakes true."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest
from pydantic import BaseModel

from skillpolicy.columns import ColumnSpec
from skillpolicy.programcheck import RULE_PARAMS, check_program_file, search_beside
from skillpolicy.programs import (
    Amount,
    LocalParameter,
    Program,
    Rate,
    RuleSpec,
    SheetSpec,
    SubsidySpec,
    Target,
)
from skillpolicy.resources import SearchPath

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
    [Program, SheetSpec, RuleSpec, SubsidySpec, LocalParameter, Amount, Rate, Target, ColumnSpec],
)
def test_every_key_is_documented(model: type[BaseModel]) -> None:
    """Each key a program file may hold appears in the page as `key`, `[[key]]` or `[key.…]`."""
    text = _text()
    forms = ("`{}`", "`[[{}]]`", "`[{}.")
    missing = [
        name for name in model.model_fields if not any(form.format(name) in text for form in forms)
    ]
    assert not missing, missing


def test_every_rule_kind_has_a_heading_and_an_example() -> None:
    """Each rule kind is named in a heading and shown in a TOML example."""
    text = _text()
    headings = "\n".join(line for line in text.splitlines() if line.startswith("#### "))
    for rule_id in RULE_PARAMS:
        assert f"`{rule_id}`" in headings, rule_id
        assert f'id = "{rule_id}"' in text, rule_id


def test_every_money_method_has_an_example() -> None:
    """Each money method has its own section with a TOML example."""
    text = _text()
    methods = get_args(SubsidySpec.model_fields["method"].annotation)
    for method in methods:
        assert f"### `{method}`" in text, method
        assert f'method = "{method}"' in text, method


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
