"""The house: no module of the library imports, directly or through others, a module that
imports it back, and no layer imports one above it (imports inside functions and under
TYPE_CHECKING count too)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "skillpolicy"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> list[str]:
    """The library modules an ``from … import …`` names (a submodule when a name is one)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    if node.level:
        base = package.split(".")
        base = base[: len(base) - node.level + 1]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    if not target.startswith("skillpolicy"):
        return []
    found = []
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        found.append(sub if sub in MODULES else target)
    return found


MODULES = {_module_name(p) for p in PACKAGE.rglob("*.py")}


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        module = _module_name(path)
        edges = graph.setdefault(module, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                edges.update(m for m in _resolve(module, path, node) if m in MODULES)
            elif isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name in MODULES)
        edges.discard(module)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as its modules in order, or None."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for other in sorted(graph.get(module, ())):
            if state.get(other) == 1:
                return [*path[path.index(other) :], other]
            if other not in state and (found := visit(other)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_the_library_has_no_import_cycle() -> None:
    """Following every import of src/skillpolicy (package faces included) never leads back."""
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check itself sees a loop of three modules and passes a chain."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


# The layers from the ground up, each a package of skillpolicy: a module may import its own
# layer and the layers of the tiers below, never a layer above or beside it. A module is in
# the layer its package names, so a new module needs no line here; a new layer does.
TIERS: tuple[tuple[str, ...], ...] = (
    ("domain",),  # values, identifiers, money, findings, errors, masking
    ("io",),  # safe files, the zip guard, the sheet reader and its columns, data files
    ("policy",),  # a program file as data: model, dated values, catalogs, params, name lists
    ("ledger",),  # what was paid, by whom, approved by whom; the bank's return file
    ("rules",),  # the rule kinds
    ("loading",),  # a program file checked whole (kinds included) and loaded
    ("check",),  # a sheet through its rules: the checker, the report, already paid
    ("compute",),  # money methods, payees, subsidy lines, the levy
    ("outputs", "tasks", "render", "report"),  # what is written or run above one sheet
    ("cli",),
)

# Upward imports known and kept for now, each (importing module, layer imported) with its
# reason; an entry that no longer happens fails too, so the list only shrinks.
KNOWN_UPWARD = {
    # the approval chain a parameters file may name is checked against the ledger's steps
    ("skillpolicy.policy.params", "ledger"),
}


def _tier(layer: str) -> int:
    return next(i for i, tier in enumerate(TIERS) if layer in tier)


def _layer(module: str) -> str | None:
    """The layer of ``module``: the package after ``skillpolicy`` (None for the package face)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _upward(graph: dict[str, set[str]]) -> set[tuple[str, str, str]]:
    """Every import of a layer above or beside the importer's: (importer, imported, layer)."""
    found = set()
    for module, edges in graph.items():
        own = _layer(module)
        for other in edges:
            layer = _layer(other)
            if own is None or layer is None or layer == own:
                continue
            if _tier(layer) >= _tier(own):
                found.add((module, other, layer))
    return found


def test_every_module_lives_in_a_layer() -> None:
    """No module sits loose beside the layers; every package of skillpolicy is a known layer."""
    layers = {layer for tier in TIERS for layer in tier}
    loose = sorted(m for m in MODULES if m != "skillpolicy" and _layer(m) not in layers)
    assert loose == [], "modules outside the layers (TIERS): " + ", ".join(loose)


def test_no_layer_imports_one_above_it() -> None:
    """domain imports no other layer, io only domain, policy only those two, … cli on top."""
    upward = _upward(_graph())
    new = sorted(
        f"{m} imports {o} ({layer})" for m, o, layer in upward if (m, layer) not in KNOWN_UPWARD
    )
    assert new == [], "imports against the layers' direction:\n" + "\n".join(new)
    stale = sorted(KNOWN_UPWARD - {(m, layer) for m, _, layer in upward})
    assert stale == [], f"KNOWN_UPWARD entries that no longer happen (remove them): {stale}"


def test_the_package_face_imports_no_layer() -> None:
    """skillpolicy/__init__.py imports nothing of the library, so any layer may import it."""
    assert _graph()["skillpolicy"] == set()


def test_the_direction_check_names_the_offending_import() -> None:
    """The check itself flags domain importing check and a layer importing its sibling, and
    passes an import downwards."""
    graph = {
        "skillpolicy.domain.values": {"skillpolicy.check.validate"},
        "skillpolicy.render.forms": {"skillpolicy.report.model", "skillpolicy.compute.subsidy"},
        "skillpolicy.cli.validate": {"skillpolicy.check.validate", "skillpolicy"},
    }
    assert _upward(graph) == {
        ("skillpolicy.domain.values", "skillpolicy.check.validate", "check"),
        ("skillpolicy.render.forms", "skillpolicy.report.model", "report"),
    }
