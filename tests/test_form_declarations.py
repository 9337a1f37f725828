"""Which forms a program prints is data: its file's [[forms]] entries, read by render."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT, write_rows
from skillpolicy.domain.errors import CatalogError, InputError
from skillpolicy.io.resources import SearchPath
from skillpolicy.render import FORMS, RenderOptions, form_spec, load_documents
from skillpolicy.render.forms import PAYOUT_NOTICE, forms

PROGRAMS = ROOT / "catalogs" / "programs"
EXAMPLES = ROOT / "examples"


def _declared() -> dict[str, list[tuple[str, dict[str, object]]]]:
    """Every [[forms]] entry of the shipped program files: form id -> (program, entry)."""
    found: dict[str, list[tuple[str, dict[str, object]]]] = {}
    for path in sorted(PROGRAMS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for entry in data.get("forms", []):
            found.setdefault(entry["id"], []).append((data["id"], entry))
    return found


def test_the_shipped_forms_are_those_the_program_files_declare() -> None:
    """render's forms are the program files' [[forms]] entries, plus the payout notice."""
    declared = _declared()
    assert declared, "the shipped programs declare their forms"
    assert set(FORMS) == {*declared, PAYOUT_NOTICE}
    for form_id, entries in declared.items():
        spec = FORMS[form_id]
        _, first = entries[0]
        assert spec.programs == tuple(program for program, _ in entries)
        assert spec.sheet == first["sheet"] and spec.title == first["title"]
        assert spec.required == tuple(first.get("required", []))  # type: ignore[arg-type]
    assert any(len(entries) > 1 for entries in declared.values()), "a notice two programs share"


def _own_program(
    tmp_path: Path, form_id: str, layout: str | None = None, program: str | None = None
) -> SearchPath:
    """A --catalog-dir folder holding a copy of ``program`` (by default the first whose file
    declares ``form_id``), renamed, its form renamed ``mine-application`` on the shipped
    template (and layout)."""
    declaring = dict(_declared()[form_id])
    program = program or next(iter(declaring))
    entry = declaring[program]
    text = (PROGRAMS / f"{program}.toml").read_text(encoding="utf-8")
    text = text.replace(f'id = "{program}"', 'id = "mine-2030-program"')
    text = text.replace(
        f'id = "{form_id}"', f'id = "mine-application"\ntemplate = "{form_id}.docx"'
    )
    if layout is not None:
        text = text.replace(f'layout = "{entry["layout"]}"', f'layout = "{layout}"')
    folder = tmp_path / "mine" / "programs"
    folder.mkdir(parents=True)
    (folder / "mine-2030-program.toml").write_text(text, encoding="utf-8")
    return SearchPath("catalogs", [tmp_path / "mine"])


def _examples_of(program: str) -> list[Path]:
    manifest = tomllib.loads((EXAMPLES / "examples.toml").read_text(encoding="utf-8"))
    return [EXAMPLES / e["file"] for e in manifest["example"] if e["program"] == program]


def test_a_form_declared_in_a_users_program_file_is_printed(tmp_path: Path) -> None:
    """A form a --catalog-dir program declares prints as the shipped one, with no code."""
    form_id = next(f for f, entries in _declared().items() if entries[0][1].get("checked"))
    search = _own_program(tmp_path, form_id)
    spec = form_spec("mine-application", search)
    assert spec.programs == ("mine-2030-program",)
    assert spec.template_name == f"{form_id}.docx"
    shipped = FORMS[form_id]
    printed = []
    for data in _examples_of(shipped.programs[0]):
        try:
            expected = load_documents(shipped, data, RenderOptions(allow_errors=True))
        except InputError:  # another kind of sheet of that program
            continue
        options = RenderOptions(allow_errors=True, catalogs=search)
        assert load_documents(spec, data, options) == expected
        printed.append(data)
    assert printed, "an example of the program fills the form"


def test_an_unknown_layout_names_the_program_file_and_key(tmp_path: Path) -> None:
    """A [[forms]] entry whose layout the program does not know: exit 2 naming file and key."""
    form_id = next(iter(_declared()))
    program, _ = _declared()[form_id][0]
    data = tomllib.loads((PROGRAMS / f"{program}.toml").read_text(encoding="utf-8"))
    index = [entry["id"] for entry in data["forms"]].index(form_id)
    search = _own_program(tmp_path, form_id, layout="no-such-layout")
    with pytest.raises(CatalogError) as caught:
        forms(search)
    text = str(caught.value)
    assert "mine-2030-program.toml" in text and f"forms[{index}].layout" in text
    assert "no-such-layout" in text


def test_a_form_is_not_printed_for_a_program_that_does_not_declare_it() -> None:
    """render FORM --program P, where P's file does not declare FORM: refused (exit 2)."""
    form_id = next(iter(_declared()))
    other = next(p.stem for p in sorted(PROGRAMS.glob("*.toml"))
                 if p.stem not in FORMS[form_id].programs)  # fmt: skip
    data = next(iter(sorted(EXAMPLES.glob("*.xlsx"))))  # never read: refused before
    with pytest.raises(InputError, match=f"不能按项目 {other} 打印"):
        load_documents(FORMS[form_id], data, RenderOptions(program=other))


def test_a_notices_period_is_the_working_days_its_file_declares(tmp_path: Path) -> None:
    """The notice's 公示天数 and its end date come from working_days in the program file."""
    form_id = next(f for f in _declared() if FORMS[f].working_days is not None)
    shipped = FORMS[form_id]
    program = shipped.programs[0]
    published = dt.date(2026, 9, 28)
    data = write_rows(
        tmp_path / "评审授牌表.xlsx",
        [
            ["单位名称", "统一社会信用代码", "评审得分", "是否授牌", "验收结果"],
            ["晋城市第一机械有限公司", "91140500MA0K12348W", 90, "是", None],
            ["晋城市第二机械有限公司", "91140500110012344R", 89, "是", None],
        ],
    )
    params = tmp_path / "skillpolicy.toml"
    params.write_text(
        f"[{program}]\nnotice_first_day_counts = true\n"
        "[mine-2030-program]\nnotice_first_day_counts = true\n",
        encoding="utf-8",
    )
    search = _own_program(tmp_path, form_id, program=program)
    program_file = tmp_path / "mine" / "programs" / "mine-2030-program.toml"
    text = program_file.read_text(encoding="utf-8")
    longer = shipped.working_days + 2  # type: ignore[operator]
    program_file.write_text(
        text.replace(f"working_days = {shipped.working_days}", f"working_days = {longer}"),
        encoding="utf-8",
    )
    spec = form_spec("mine-application", search)
    assert spec.working_days == longer
    options = RenderOptions(catalogs=search, published=published, params=params)
    [mine] = load_documents(spec, data, options)
    options = RenderOptions(program=program, catalogs=search, published=published, params=params)
    [ours] = load_documents(shipped, data, options)
    assert (mine.公示天数, ours.公示天数) == (str(longer), str(shipped.working_days))  # type: ignore[attr-defined]
    assert mine.公示结束日期 != ours.公示结束日期  # type: ignore[attr-defined]
