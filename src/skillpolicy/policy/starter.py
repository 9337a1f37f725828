"""`skillpolicy init`: a starter local-parameters file built from the program files.

Every program gets its table; every local parameter it declares is written commented out,
above it its description and clause, with an example value (the program file's
``example``, else one made from the parameter's kind). The file loads as written (empty
tables), and loads with ``--params`` once the values are uncommented.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import tomli_w

from .programs import LocalParameter, Program

__all__ = ["example_value", "starter_params"]

# An example for a parameter whose program file gives none, by kind.
_BY_KIND: dict[str, Any] = {
    "money": "0.00",
    "decimal": "1.00",
    "bool": False,
    "file": "名单.xlsx",
    "catalog": "目录编号",
}


def example_value(declared: LocalParameter) -> Any:
    """The value written (commented) for ``declared``: its example, default, or a stand-in."""
    if declared.example is not None:
        return declared.example
    if declared.default is not None:
        return declared.default
    if declared.kind == "money-by-key":
        return dict.fromkeys(declared.keys or ["键"], "0.00")
    return _BY_KIND[declared.kind]


def _toml_value(value: Any) -> str:
    """One TOML value on one line (a table inline), written by tomli-w, never by hand."""
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return f"{{ {items} }}"
    return tomli_w.dumps({"v": value}).split("=", 1)[1].strip()


def _toml_key(key: str) -> str:
    return tomli_w.dumps({key: 0}).rsplit("=", 1)[0].strip()


def _comment(text: str) -> str:
    return "# " + " ".join(text.split())


def starter_params(programs: Iterable[Program]) -> str:
    """The text of a starter ``skillpolicy.toml`` for ``programs``."""
    lines = [
        "# skillpolicy 本地参数文件（由 skillpolicy init 生成）",
        "# 文件把一些金额和名单留给各地确定（本地参数）。每个项目一个表 [项目编号]；",
        "# 把参数行前的 # 去掉、把示例值改成本局的数值后生效。金额写成带引号的两位小数，",
        "# 文件路径相对于本文件所在的文件夹。用 skillpolicy program show 项目编号 查看已设置的参数。",
    ]
    for program in programs:
        lines += ["", _comment(f"{program.title}（{program.document}）"), f"[{program.id}]"]
        if not program.local_parameters:
            lines.append("# 无本地参数：文件规定了全部金额")
        for declared in program.local_parameters:
            about = f"{declared.description}；{program.citation(declared.clause)}"
            if declared.keys:
                about += f"；可用的键：{'、'.join(declared.keys)}"
            if declared.default is not None:
                about += f"；不设置时为 {_toml_value(declared.default)}"
            lines.append(_comment(about))
            lines.append(f"# {declared.name} = {_toml_value(example_value(declared))}")
    return "\n".join(lines) + "\n"
