"""Program files checked whole: every problem at once, `program check`, `program schema`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import Run
from skillpolicy.domain.errors import CatalogError
from skillpolicy.io.resources import shipped_dir
from skillpolicy.loading.programcheck import (
    RULE_PARAMS,
    ProgramFileError,
    check_program_file,
)
from skillpolicy.loading.programfiles import load_program_file
from skillpolicy.loading.programschema import SCHEMA_DIRECTIVE, SCHEMA_FILE, program_json_schema
from skillpolicy.rules import known_kinds, known_rule_ids

HERE = Path(__file__).parent
BROKEN = HERE / "broken_catalogs" / "programs"
CONTROL = HERE / "broken_catalogs" / "control" / "programs" / "valid-program.toml"
EXAMPLES = HERE.parent / "examples"
SHIPPED = shipped_dir("catalogs")
SHIPPED_PROGRAMS = sorted((SHIPPED / "programs").glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED_PROGRAMS, ids=lambda p: p.stem)
def test_shipped_program_has_no_problems(path: Path) -> None:
    """Every shipped program file passes the whole check."""
    assert check_program_file(path) == []


def test_every_rule_kind_declares_its_params() -> None:
    """Each rule id the code implements has a params model, and no model names an unknown id."""
    assert set(RULE_PARAMS) == set(known_rule_ids())


def test_every_problem_is_reported_at_once() -> None:
    """A file with several mistakes raises one error that lists each with its line and key."""
    with pytest.raises(ProgramFileError) as raised:
        load_program_file(BROKEN / "several-problems.toml")
    keys = [(p.line, p.key) for p in raised.value.problems]
    assert (9, "regoin") in keys
    assert (21, "rules[1].params.minimum") in keys
    assert (32, "rules[2].params.maximum") in keys
    assert isinstance(raised.value, CatalogError)
    assert "\n" not in str(raised.value)


def test_missing_param_is_located_in_its_own_rule(tmp_path: Path) -> None:
    """A rule without params is placed at its own [[rules]] line, not at the next rule's params."""
    text = CONTROL.read_text(encoding="utf-8").replace('"valid-program"', '"two-rules"')
    text += (
        '\n[[rules]]\nid = "attendance"\nsheet = "roster"\nclause = "二"\nsummary = "到课率"\n'
        '\n[[rules]]\nid = "inspections"\nkind = "number"\nsheet = "roster"\nclause = "三"\n'
        'summary = "抽查"\nparams = { column = "抽查次数", bound = "不少于", value = 3 }\n'
    )
    path = tmp_path / "two-rules.toml"
    path.write_text(text, encoding="utf-8")
    header = text.splitlines().index('id = "attendance"')  # the line after [[rules]]
    [problem] = check_program_file(path)
    assert (problem.line, problem.key) == (header, "rules[1].params.minimum")


def _catalog_dir_with(tmp_path: Path, broken: str) -> Path:
    mine = tmp_path / "mine"
    (mine / "programs").mkdir(parents=True)
    shutil.copy(BROKEN / f"{broken}.toml", mine / "programs" / f"{broken}.toml")
    return mine


@pytest.mark.parametrize("broken", ["rule-without-params", "catalog-not-named"])
def test_broken_program_stops_with_exit_2_never_3(
    run_cli: Run, tmp_path: Path, broken: str
) -> None:
    """validate with a user's program lacking a rule's params or catalog exits 2 naming the key."""
    mine = _catalog_dir_with(tmp_path, broken)
    roster = EXAMPLES / "guangxi-2012-technician.xlsx"
    result = run_cli("--catalog-dir", mine, "validate", roster, "--program", broken)
    assert result.returncode == 2, result.stderr
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr
    assert f"{broken}.toml:21 rules[1]" in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_program_check_lists_every_problem_one_a_line(run_cli: Run) -> None:
    """`program check` on a broken file prints each problem on its own line and exits 2."""
    result = run_cli("program", "check", BROKEN / "several-problems.toml")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert [line for line in lines if "several-problems.toml" in line] == lines[:-1]
    assert len(lines) == 5 and "4 处问题" in lines[-1]
    assert result.stdout == ""


def test_program_check_passes_a_good_file(run_cli: Run) -> None:
    """`program check` on a shipped file says it has no problems and exits 0."""
    path = SHIPPED / "programs" / "guangxi-2012-technician.toml"
    result = run_cli("program", "check", path)
    assert result.returncode == 0, result.stderr
    assert "无问题" in result.stdout and "guangxi-2012-technician" in result.stdout


def test_program_check_sample_validates_and_computes(run_cli: Run) -> None:
    """With --sample the sheet is checked and its money computed, as `subsidy` computes it."""
    path = SHIPPED / "programs" / "xuchang-2013-revitalization.toml"
    sample = EXAMPLES / "xuchang-2013-revitalization.xlsx"
    params = EXAMPLES / "skillpolicy.toml"
    checked = run_cli("program", "check", path, "--sample", sample, "--params", params)
    assert checked.returncode == 0, checked.stderr
    subsidy = run_cli(
        "subsidy", sample, "--program", "xuchang-2013-revitalization", "--params", params,
        "--format", "json",
    )  # fmt: skip
    payout = json.loads(subsidy.stdout)
    assert f"发放 {payout['paid']} 笔" in checked.stdout
    assert f"不予发放 {payout['refused']} 笔" in checked.stdout
    assert payout["total_in_words"] in checked.stdout
    validated = run_cli(
        "validate", sample, "--program", "xuchang-2013-revitalization", "--params", params,
        "--format", "json",
    )  # fmt: skip
    errors = sum(1 for f in json.loads(validated.stdout)["findings"] if f["severity"] == "error")
    assert f"错误 {errors} 条" in checked.stdout


def test_program_check_sample_of_a_sheet_that_pays_nothing(run_cli: Run) -> None:
    """A sample application sheet is validated; the output says that sheet pays nothing."""
    path = SHIPPED / "programs" / "guangxi-2012-technician.toml"
    sample = EXAMPLES / "guangxi-2012-technician-application.xlsx"
    result = run_cli("program", "check", path, "--sample", sample)
    assert result.returncode == 0, result.stderr
    assert "不涉及补贴发放" in result.stdout


def test_program_check_finds_the_catalog_beside_the_file(run_cli: Run, tmp_path: Path) -> None:
    """A file in DIR/programs/ finds its catalog in DIR/occupations/ without --catalog-dir."""
    (tmp_path / "mine" / "programs").mkdir(parents=True)
    (tmp_path / "mine" / "occupations").mkdir()
    (tmp_path / "mine" / "occupations" / "my-city.toml").write_text(
        'id = "my-city"\ntitle = "本市目录"\nsource = "本市文件"\n'
        '[[industries]]\nname = "现代服务"\noccupations = ["茶艺师"]\n',
        encoding="utf-8",
    )
    text = CONTROL.read_text(encoding="utf-8").replace('"valid-program"', '"my-program"')
    text = text.replace('region = "测试市"', 'region = "测试市"\ncatalog = "my-city"')
    path = tmp_path / "mine" / "programs" / "my-program.toml"
    path.write_text(text, encoding="utf-8")
    assert run_cli("program", "check", path).returncode == 0
    elsewhere = tmp_path / "my-program.toml"
    shutil.copy(path, elsewhere)
    result = run_cli("program", "check", elsewhere)
    assert result.returncode == 2 and "my-city" in result.stderr


# --- the JSON Schema ---------------------------------------------------------------------------


def test_schema_ties_each_rule_kind_to_its_params() -> None:
    """The schema lists every rule kind and registered function and gives the params each
    takes, with required keys."""
    schema = program_json_schema()
    rule = schema["$defs"]["RuleSpec"]
    assert rule["properties"]["function"]["enum"] == sorted(known_rule_ids())
    assert rule["properties"]["kind"]["enum"] == ["function", *sorted(known_kinds())]

    def params_of(test: str, value: str) -> dict[str, Any]:
        branch = next(
            b["then"]
            for b in rule["allOf"]
            if b["if"]["properties"].get(test, {}).get("const") == value
        )
        ref = branch["properties"]["params"]["$ref"].rsplit("/", 1)[1]
        return schema["$defs"][ref]  # type: ignore[no-any-return]

    attendance = params_of("id", "attendance")
    assert attendance["required"] == ["minimum"]
    assert attendance["additionalProperties"] is False
    number = params_of("kind", "number")
    assert number["required"] == ["column"]
    assert number["oneOf"] == [{"required": ["value"]}, {"required": ["between"]}]
    assert params_of("kind", "level-tenure")["required"] == ["paths"]
    assert params_of("kind", "duration")["required"] == ["months"]
    assert number["additionalProperties"] is False


def test_schema_command_prints_the_shipped_schema(run_cli: Run) -> None:
    """`program schema` prints JSON equal to the schema file shipped beside programs/."""
    result = run_cli("program", "schema")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed == program_json_schema()
    shipped = json.loads((SHIPPED / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert shipped == printed, (
        "regenerate: skillpolicy program schema > catalogs/program.schema.json"
    )


@pytest.mark.parametrize("path", SHIPPED_PROGRAMS, ids=lambda p: p.stem)
def test_shipped_program_names_the_schema_and_loads(path: Path) -> None:
    """Each shipped program file opens with the #:schema line, which points at a real file."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == SCHEMA_DIRECTIVE
    assert (path.parent / first.split(" ", 1)[1]).is_file()
    assert load_program_file(path).id == path.stem
