"""``render FORM --check``: does a (possibly clerk-edited) template fit its form's data model?

Every placeholder must be a field of the model (top-level names from
:func:`jinja2.meta.find_undeclared_variables`; ``a.b`` on a field that is itself a group, and
``row.b`` on the variable of a ``for row in list`` loop, are checked against the group's or the
row's fields), and every field of the model, nested ones included, must appear somewhere.
"""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import meta, nodes

from .engine import DocxTemplate
from .forms import FormModel, FormSpec


@dataclass(frozen=True)
class Shape:
    """What a name or attribute holds: text, a group of fields, or a list of rows."""

    kind: str  # "text", "model" or "list"
    model: type[FormModel] | None = None


@dataclass(frozen=True)
class CheckProblem:
    kind: str  # "unknown" (placeholder not in the model) or "unused" (field not in template)
    name: str
    message: str


@dataclass
class CheckReport:
    form: str
    template: Path
    problems: list[CheckProblem] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.problems


def _shape(annotation: Any) -> Shape:
    if isinstance(annotation, type) and issubclass(annotation, FormModel):
        return Shape("model", annotation)
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        if isinstance(item, type) and issubclass(item, FormModel):
            return Shape("list", item)
    return Shape("text")


def _fields(model: type[FormModel]) -> dict[str, Shape]:
    return {name: _shape(info.annotation) for name, info in model.model_fields.items()}


def required_paths(model: type[FormModel], prefix: str = "") -> list[str]:
    """Every field a template must use, nested as ``group.field`` and ``list.field``."""
    paths: list[str] = []
    for name, shape in _fields(model).items():
        path = f"{prefix}{name}"
        paths.append(path)
        if shape.model is not None:
            paths.extend(required_paths(shape.model, f"{path}."))
    return paths


def _suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    return f"（是不是「{close[0]}」？）" if close else ""


class _Walker:
    def __init__(self, spec: FormSpec, report: CheckReport) -> None:
        self.spec = spec
        self.report = report
        self.top = _fields(spec.model)
        self.reported: set[str] = set()

    def unknown(self, path: str, choices: list[str]) -> None:
        if path in self.reported:
            return
        self.reported.add(path)
        self.report.problems.append(
            CheckProblem(
                "unknown",
                path,
                f"模板中的占位符「{path}」不是 {self.spec.id} 的字段{_suggest(path.rsplit('.', 1)[-1], choices)}",
            )
        )

    def resolve(
        self, node: nodes.Node, scope: dict[str, tuple[str, Shape] | None]
    ) -> tuple[str, Shape] | None:
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            shape = self.top.get(node.name)
            if shape is None:
                return None  # reported from find_undeclared_variables (or a {% set %} name)
            self.report.used.add(node.name)
            return node.name, shape
        attr: str | None = None
        if isinstance(node, nodes.Getattr):
            attr = node.attr
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            attr = node.arg.value
        if attr is None or not isinstance(node, nodes.Getattr | nodes.Getitem):
            self.walk(node, scope)
            return None
        base = self.resolve(node.node, scope)
        if base is None or base[1].model is None or base[1].kind != "model":
            return None
        path, shape = base
        fields = _fields(base[1].model)
        if attr not in fields:
            self.unknown(f"{path}.{attr}", list(fields))
            return None
        self.report.used.add(f"{path}.{attr}")
        return f"{path}.{attr}", fields[attr]

    def walk(self, node: nodes.Node, scope: dict[str, tuple[str, Shape] | None]) -> None:
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.For):
                target = self.resolve(child.iter, scope)
                inner = dict(scope)
                inner["loop"] = None
                for name_node in child.target.find_all(nodes.Name):
                    inner[name_node.name] = None
                if isinstance(child.target, nodes.Name) and target and target[1].kind == "list":
                    inner[child.target.name] = (target[0], Shape("model", target[1].model))
                for part in (*child.body, *child.else_):
                    self.visit(part, inner)
                if child.test is not None:
                    self.visit(child.test, inner)
            else:
                self.visit(child, scope)

    def visit(self, node: nodes.Node, scope: dict[str, tuple[str, Shape] | None]) -> None:
        if isinstance(node, nodes.Name):
            if node.ctx == "load":
                self.resolve(node, scope)
        elif isinstance(node, nodes.Getattr | nodes.Getitem):
            self.resolve(node, scope)
        elif isinstance(node, nodes.For):
            self.walk(nodes.Output([node]), scope)
        else:
            self.walk(node, scope)


def check_template(spec: FormSpec, template: DocxTemplate) -> CheckReport:
    """Compare ``template``'s placeholders with ``spec.model`` (see the module docstring)."""
    report = CheckReport(form=spec.id, template=template.path)
    walker = _Walker(spec, report)
    top = list(walker.top)
    for tree in template.parse():
        for name in sorted(meta.find_undeclared_variables(tree)):
            if name not in walker.top:
                walker.unknown(name, top)
        walker.walk(tree, {})
    for path in required_paths(spec.model):
        if path not in report.used:
            report.problems.append(
                CheckProblem("unused", path, f"模板没有用到 {spec.id} 的必填字段「{path}」")
            )
    return report
