"""Programs and occupation catalogs as data: the shipped files, broken files, user folders."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from skillpolicy.domain.errors import CatalogError
from skillpolicy.io.resources import SearchPath, shipped_dir
from skillpolicy.loading.programfiles import (
    list_programs,
    load_program,
    load_program_file,
    program_ids,
)
from skillpolicy.policy.catalog import list_catalogs, load_catalog, load_catalog_file

HERE = Path(__file__).parent
BROKEN = HERE / "broken_catalogs"

PROGRAM_IDS = set(program_ids())  # whatever catalogs/programs/ ships, never a list here

GUANGXI_2012_INDUSTRIES = {
    "食品产业": 4,
    "数控技术": 4,
    "机械制造": 7,
    "汽车产业": 2,
    "冶金制造": 4,
    "有色金属加工": 3,
    "医药化工": 4,
    "电力产业": 3,
    "造纸技术": 3,
    "新职业": 1,
}

# Rule ids the program files use that POLICIES.md does not name in a backticked id of its own:
# the checks its prose asks for (附件2 applicant fields, the deadline, the acceptance review,
# Xuchang's 13 categories, Xuchang's award quotas, shortage technicians and the education
# fund levy, whose levy sheet checks credit codes too) plus the common identity rules.
PROJECT_RULE_IDS = {
    "applicant-qualification",
    "trainee-count",
    "contact",
    "deadline",
    "acceptance",
    "training-category",
    "identity",
    "duplicate-person",
    "award-kind",
    "award-quota",
    "shortage-technician",
    "education-fund",
    "credit-code",
    "stale-program",  # added by the loader for a program with in_force (issue 13 item 5)
    # Jincheng's expert score sheet (issue 19, README "Expert review")
    "score-range",
    "duplicate-score",
    "minimum-experts",
    "expert-conflict",
    # Fujian's city plan sheet (issue 19, README "City training plans")
    "plan-enterprise",
    "plan-count",
    "plan-deadline",
    "plan-outside-share",
    "plan-no-repeat",
}

_SEVERITIES = {"error", "warning", "review"}
# command names POLICIES.md mentions in backticks ("`validate` lists it as skipped")
_COMMANDS = {"validate", "subsidy", "levy", "render", "report", "ledger", "template", "explain"}
_BACKTICKED = re.compile(r"`([^`\n]+)`")
_RULE_ID = re.compile(r"[a-z]{2,}(?:-[a-z]+)*")  # not the lone `x` of an ID number


def policy_sections(text: str) -> tuple[set[str], dict[str, set[str]]]:
    """POLICIES.md read as (rule ids common to all programs, program id -> rule ids named).

    A section starts at a `## ` heading naming its program ids in backticks; a rule id is a
    backticked lowercase-hyphen word in the section (severity words, command names and ids
    excluded).
    """
    chunks = re.split(r"^## ", text, flags=re.MULTILINE)

    def rule_ids(chunk: str, programs: set[str]) -> set[str]:
        words = {w for w in _BACKTICKED.findall(chunk) if _RULE_ID.fullmatch(w)}
        return words - _SEVERITIES - _COMMANDS - programs

    common = rule_ids(chunks[0], set())
    by_program: dict[str, set[str]] = {}
    for chunk in chunks[1:]:
        heading, _, body = chunk.partition("\n")
        programs = set(_BACKTICKED.findall(heading)) & PROGRAM_IDS
        for program_id in programs:
            by_program[program_id] = rule_ids(body, programs)
    return common, by_program


@pytest.fixture
def policies(shared_document: Callable[[str], str]) -> tuple[set[str], dict[str, set[str]]]:
    return policy_sections(shared_document("POLICIES.md"))


# --- the shipped files -------------------------------------------------------------------


def test_every_shipped_program_file_loads() -> None:
    """Every catalogs/programs/*.toml loads, by file and by id."""
    files = sorted((shipped_dir("catalogs") / "programs").glob("*.toml"))
    assert files
    for path in files:
        assert load_program_file(path).id == path.stem
        assert load_program(path.stem).id == path.stem


def test_every_shipped_program_loads_and_has_an_example() -> None:
    """Every shipped program loads by id and has a bundled example sheet in examples.toml."""
    examples = tomllib.loads((HERE.parent / "examples" / "examples.toml").read_text("utf-8"))
    with_example = {entry["program"] for entry in examples["example"]}
    assert PROGRAM_IDS
    assert {program.id for program in list_programs()} == PROGRAM_IDS
    assert with_example >= PROGRAM_IDS


def test_every_shipped_catalog_loads() -> None:
    """Every catalogs/occupations/*.toml loads."""
    catalogs = list_catalogs(SearchPath("catalogs"))
    assert "guangxi-2012-shortage" in {c.id for c in catalogs}


def test_program_catalogs_exist() -> None:
    """A program that names a catalog names one that ships."""
    search = SearchPath("catalogs")
    for program in list_programs(search):
        if program.catalog:
            load_catalog(program.catalog, search)


def test_guangxi_2012_catalog_has_35_occupations_in_10_industries() -> None:
    """guangxi-2012-shortage: 35 occupations, 10 industries, per-industry counts of 附件1."""
    catalog = load_catalog("guangxi-2012-shortage", SearchPath("catalogs"))
    counts = {industry.name: len(industry.occupations) for industry in catalog.industries}
    assert counts == GUANGXI_2012_INDUSTRIES
    assert list(counts) == list(GUANGXI_2012_INDUSTRIES)  # in the document's order
    assert len(catalog.occupations) == 35
    assert catalog.industry_of("物流师") == "新职业"


def test_policies_md_parse_finds_rule_ids(
    policies: tuple[set[str], dict[str, set[str]]],
) -> None:
    """The POLICIES.md reader finds a section and rule ids for every program (guards the parse)."""
    common, by_program = policies
    assert common == {"identity", "duplicate-person"}
    assert set(by_program) == PROGRAM_IDS
    assert {"occupation-in-catalog", "level-tenure", "certified"} <= by_program[
        "guangxi-2012-technician"
    ]


@pytest.mark.parametrize("program_id", sorted(PROGRAM_IDS))
def test_rule_ids_are_named_in_policies_md(
    program_id: str, policies: tuple[set[str], dict[str, set[str]]]
) -> None:
    """Every rule id in a program file is named for it in POLICIES.md or project-added."""
    common, by_program = policies
    allowed = by_program[program_id] | common | PROJECT_RULE_IDS
    used = {spec.id for spec in load_program(program_id).rules}
    assert used - allowed == set()


def test_rules_policies_md_names_are_in_the_program_files(
    policies: tuple[set[str], dict[str, set[str]]],
) -> None:
    """Every rule POLICIES.md names for a program is in its file (Jincheng's pair jointly)."""
    _, by_program = policies
    used = {p.id: {spec.id for spec in p.rules} for p in list_programs()}
    jincheng = {"jincheng-2022-workstation", "jincheng-2022-training-base"}
    for program_id, named in by_program.items():
        have = (
            set().union(*(used[p] for p in jincheng))
            if program_id in jincheng
            else used[program_id]
        )
        assert named - have == set(), program_id


def _unquoted(text: str) -> str:
    return re.sub(r"[\"“”]", "", text).strip()


def test_xuchang_category_targets_match_policies_md(shared_document: Callable[[str], str]) -> None:
    """Xuchang's 13 category targets (四(一)一) sum to 400,000 and match POLICIES.md's table."""
    text = shared_document("POLICIES.md")
    section = text.split("## `xuchang-2013-revitalization`", 1)[1].split("\n## ", 1)[0]
    table = {
        _unquoted(name): (department.strip(), int(count.replace(",", "")))
        for name, department, count in re.findall(
            r"^\|([^|]+)\|([^|]+)\|\s*([\d,]+)\s*\|$", section, flags=re.MULTILINE
        )
    }
    program = load_program("xuchang-2013-revitalization")
    categories = {
        _unquoted(t.name): (t.department, t.count) for t in program.targets if t.department
    }
    assert len(categories) == 13
    assert sum(count for _, count in categories.values()) == 400_000
    assert categories == table
    total = next(t for t in program.targets if t.name == "各类职业培训")
    assert total.count == 400_000


# --- broken files: each error names what is wrong ------------------------------------------


def _cases() -> list[dict[str, Any]]:
    with (BROKEN / "cases.toml").open("rb") as handle:
        return list(tomllib.load(handle)["case"])


def _load(relative: str) -> Any:
    path = BROKEN / relative
    if path.parent.name == "programs":
        return load_program_file(path)
    return load_catalog_file(path)


def test_broken_folder_and_cases_list_agree() -> None:
    """Every file in tests/broken_catalogs is listed in cases.toml, and every listed file exists."""
    on_disk = {
        str(p.relative_to(BROKEN))
        for folder in ("programs", "occupations")
        for p in (BROKEN / folder).glob("*.toml")
    }
    listed = [case["file"] for case in _cases()]
    assert len(listed) == len(set(listed))
    assert set(listed) == on_disk


@pytest.mark.parametrize(
    "relative", ["control/programs/valid-program.toml", "control/occupations/valid-catalog.toml"]
)
def test_control_files_load(relative: str) -> None:
    """The files the broken ones are made from load, so each broken file fails for its defect."""
    assert _load(relative).id == Path(relative).stem


@pytest.mark.parametrize("case", _cases(), ids=lambda c: Path(c["file"]).stem)
def test_broken_file_error_names_what_is_wrong(case: dict[str, Any]) -> None:
    """Loading a broken program/catalog raises CatalogError containing every expected word."""
    with pytest.raises(CatalogError) as raised:
        _load(case["file"])
    message = str(raised.value)
    missing = [word for word in case["expect"] if word not in message]
    assert not missing, f"{message!r} lacks {missing} ({case['why']})"


@pytest.mark.parametrize("case", _cases(), ids=lambda c: Path(c["file"]).stem)
def test_broken_file_error_has_no_empty_location(case: dict[str, Any]) -> None:
    """A CatalogError never prints an empty location part such as a key label with no key."""
    with pytest.raises(CatalogError) as raised:
        _load(case["file"])
    message = str(raised.value)
    assert "键 ：" not in message and "键 ，" not in message, message
    assert raised.value.key != ""


# --- the user's own folder (--catalog-dir) ---------------------------------------------------


def test_user_catalog_dir_adds_a_catalog(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    """--catalog-dir DIR with occupations/my-city.toml makes `catalog show my-city` work."""
    (tmp_path / "mine" / "occupations").mkdir(parents=True)
    (tmp_path / "mine" / "occupations" / "my-city.toml").write_text(
        'id = "my-city"\ntitle = "本市紧缺职业目录"\nsource = "本市文件"\n'
        '[[industries]]\nname = "现代服务"\noccupations = ["茶艺师", "育婴员"]\n',
        encoding="utf-8",
    )
    result = run_cli("--catalog-dir", "mine", "catalog", "show", "my-city")
    assert result.returncode == 0, result.stderr
    assert "茶艺师" in result.stdout and "本市紧缺职业目录" in result.stdout
    listed = run_cli("--catalog-dir", "mine", "catalog", "list")
    assert "my-city" in listed.stdout and "guangxi-2012-shortage" in listed.stdout


def test_user_program_file_overrides_the_shipped_one(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    """A user programs/ID.toml replaces the shipped program of that id (library and CLI)."""
    shipped = shipped_dir("catalogs") / "programs" / "guangxi-2012-technician.toml"
    mine = tmp_path / "mine" / "programs"
    mine.mkdir(parents=True)
    text = shipped.read_text(encoding="utf-8")
    text = re.sub(r'^title = ".*"$', 'title = "本地覆盖的项目名称"', text, count=1, flags=re.M)
    (mine / shipped.name).write_text(text, encoding="utf-8")

    search = SearchPath("catalogs", [tmp_path / "mine"])
    assert load_program("guangxi-2012-technician", search).title == "本地覆盖的项目名称"
    by_id = {p.id: p for p in list_programs(search)}
    assert set(by_id) == PROGRAM_IDS
    assert by_id["guangxi-2012-technician"].title == "本地覆盖的项目名称"

    result = run_cli("--catalog-dir", "mine", "program", "show", "guangxi-2012-technician")
    assert result.returncode == 0, result.stderr
    assert "本地覆盖的项目名称" in result.stdout


def test_missing_user_catalog_dir_is_an_error(run_cli: Callable[..., Any]) -> None:
    """--catalog-dir naming a folder that does not exist: exit 2 with one line naming it."""
    result = run_cli("--catalog-dir", "nowhere", "catalog", "list")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "nowhere" in result.stderr
