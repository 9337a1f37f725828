"""Loading TOML data files into pydantic models with errors that name file, line and key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ..domain.errors import CatalogError, SkillpolicyError
from .fileio import not_regular_file

Model = TypeVar("Model", bound=BaseModel)

_TOML_LINE = re.compile(r"at line (\d+)")
_TABLE_HEADER = re.compile(r"^\s*\[")

# pydantic's English error types, said in Chinese for the clerk who edits a catalog file.
_PYDANTIC_MESSAGES = {
    "extra_forbidden": "未知的键（拼写错误？）",
    "missing": "缺少必填的键",
    "date_from_datetime_parsing": "不是有效日期，请写成 2012-08-31",
    "date_parsing": "不是有效日期，请写成 2012-08-31",
    "date_type": "不是有效日期，请写成 2012-08-31（不加引号）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "string_type": "应为文字（加引号）",
    "decimal_parsing": '应为数字金额，写成带引号的 "1900.00"',
    "literal_error": "取值不在允许范围内",
    "list_type": "应为列表 [...]",
    "dict_type": "应为表 {...}",
    "bool_type": "应为 true 或 false",
    "too_short": "不能为空",
    "greater_than": "应为正数",
}


_BOUNDS = {
    "less_than_equal": "应不大于",
    "less_than": "应小于",
    "greater_than_equal": "应不小于",
}


class KeyedError(ValueError):
    """A check across a data file that knows which key is at fault (for the error's location)."""

    def __init__(self, message: str, key: tuple[int | str, ...]) -> None:
        super().__init__(message)
        self.key = key


MAX_TOML_BYTES = 2 << 20  # a program, catalog or parameters file is a few kilobytes


def read_bounded_text(path: Path, error: type[SkillpolicyError] = CatalogError) -> str:
    """A data file's text: a regular file of at most :data:`MAX_TOML_BYTES`, in UTF-8."""
    problem = not_regular_file(path)
    if problem is not None:
        raise error(problem, file=path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_TOML_BYTES + 1)
    except OSError as exc:
        raise error(f"无法读取：{exc.strerror}", file=path) from exc
    if len(data) > MAX_TOML_BYTES:
        raise error(f"文件过大（上限 {MAX_TOML_BYTES >> 20} MB），不像是数据文件", file=path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error("不是 UTF-8 编码的文本文件", file=path) from exc


def parse_toml(
    text: str, path: Path, error: type[SkillpolicyError] = CatalogError
) -> dict[str, Any]:
    """``tomllib.loads`` with a nesting too deep for the parser told as a broken file."""
    try:
        return tomllib.loads(text)
    except RecursionError as exc:
        raise error("TOML 嵌套层数过深，不是有效的数据文件", file=path) from exc


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    text = read_bounded_text(path)
    try:
        return parse_toml(text, path), text
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        line = int(match.group(1)) if match else None
        raise CatalogError(f"TOML 格式错误（{exc}）", file=path, line=line) from exc


def locate(text: str, loc: tuple[int | str, ...]) -> int | None:
    """Best-effort line number of a pydantic error location in TOML source text.

    Inside the n-th ``[[table]]`` the search stops at the next table header, so a key missing
    from one entry is never found in the entry after it.
    """
    lines = text.splitlines()
    position = 0
    end = len(lines)
    found: int | None = None
    index = 0
    while index < len(loc):
        part = loc[index]
        if isinstance(part, str):
            nth = (
                loc[index + 1] if index + 1 < len(loc) and isinstance(loc[index + 1], int) else None
            )
            if nth is not None:
                header = re.compile(rf"^\s*\[\[\s*(?:[\w.-]+\.)?{re.escape(part)}\s*\]\]")
                hits = [i for i in range(position, end) if header.match(lines[i])]
                if isinstance(nth, int) and nth < len(hits):
                    position = found = hits[nth]
                    end = next(
                        (i for i in range(position + 1, end) if _TABLE_HEADER.match(lines[i])),
                        end,
                    )
                    index += 2
                    continue
            key = re.compile(
                rf"^\s*(\"?){re.escape(part)}\1\s*="
                rf"|^\s*\[\s*(?:(?:[\w-]+|\"[^\"]*\")\.)*(\"?){re.escape(part)}\2\s*\]"
            )
            for i in range(position, end):
                if key.match(lines[i]):
                    position = found = i
                    break
        index += 1
    return found + 1 if found is not None else None


def _key_name(loc: tuple[int | str, ...]) -> str | None:
    if not loc:
        return None
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe_error(error: ErrorDetails, text: str) -> tuple[int | None, str | None, str]:
    """One pydantic error as (line, key path, Chinese reason) for a clerk editing the file."""
    loc = tuple(error["loc"])
    if error["type"] == "value_error":
        cause = error.get("ctx", {}).get("error")
        reason = str(cause or error["msg"])
        if isinstance(cause, KeyedError):
            loc = (*loc, *cause.key)
    elif error["type"] in _BOUNDS:
        bound = next(iter(error.get("ctx", {}).values()), "")
        reason = f"{_BOUNDS[error['type']]} {bound}"
    else:
        reason = _PYDANTIC_MESSAGES.get(error["type"], error["msg"])
    value = error.get("input")
    shown = (
        f"「{value}」"
        if isinstance(value, str | int | float) and error["type"] != "missing"
        else ""
    )
    return locate(text, loc), _key_name(loc), f"{shown}{reason}"


def load_model(path: Path, model: type[Model], **context: Any) -> Model:
    data, text = read_toml(path)
    try:
        return model.model_validate(data, context=context or None)
    except ValidationError as exc:
        line, key, reason = describe_error(exc.errors()[0], text)
        raise CatalogError(reason, file=path, line=line, key=key) from exc
