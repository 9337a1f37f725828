"""Usage errors (a misspelt option, a missing argument, a bad value) as one line of Chinese.

click (vendored by typer) shows them as three lines of English; a clerk gets one line that
names what was wrong and, where there is one, the option or command meant
(``错误：没有 --progam 选项，是否要用 --program？``). Errors are recognised by the names of
their classes, since typer vendors click and the classes are not public.
"""

from __future__ import annotations

import re
from typing import Any

from ..domain.errors import near_miss

__all__ = ["usage_message"]

_VALUE_PROBLEMS = [
    (re.compile(r"'(?P<value>.*)' is not a valid integer( range)?\.?"), "须是整数"),
    (re.compile(r"'(?P<value>.*)' is not a valid float( range)?\.?"), "须是数"),
    (re.compile(r"'(?P<value>.*)' is not a valid boolean\.?"), "须是 true 或 false"),
    (re.compile(r"(?P<value>.*) is not in the range (?P<range>.+)\.?"), "超出范围"),
    (re.compile(r"'(?P<value>.*)' is not one of (?P<choices>.+)\.?"), "不是可选的值"),
]


def _kinds(error: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(error).__mro__}


def _options_of(ctx: Any) -> list[str]:
    command = getattr(ctx, "command", None)
    names: list[str] = []
    for param in getattr(command, "params", []):
        names += [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]
    names += list(getattr(ctx, "help_option_names", []))
    return [name for name in names if name.startswith("-")]


def _help_hint(ctx: Any) -> str:
    path = getattr(ctx, "command_path", None)
    return f"（{path} -h 查看用法）" if path else ""


def _param_name(error: Any) -> str:
    param = getattr(error, "param", None)
    hint = getattr(error, "param_hint", None)
    if isinstance(hint, str):
        return hint.strip("'\"")
    if hint:
        return " / ".join(str(h) for h in hint)
    if param is None:
        return "参数"
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")] or list(
        getattr(param, "opts", [])
    )
    if getattr(param, "param_type_name", "") == "argument" or not opts:
        return str(getattr(param, "human_readable_name", param.name)).upper()
    return str(opts[0])


def _one_line(text: str) -> str:
    return " ".join(text.split())


def usage_message(error: BaseException) -> str | None:
    """The one Chinese line for a click usage error, or None when ``error`` is not one."""
    kinds = _kinds(error)
    if "UsageError" not in kinds:
        return None
    ctx = getattr(error, "ctx", None)
    message = str(getattr(error, "message", "") or "")
    hint = _help_hint(ctx)
    if "NoSuchOption" in kinds:
        option = str(getattr(error, "option_name", ""))
        guess = near_miss(option, _options_of(ctx))
        if guess:
            return _one_line(f"错误：没有 {option} 选项，是否要用 {guess}？")
        return _one_line(f"错误：没有 {option} 选项{hint}")
    if "MissingParameter" in kinds:
        param = getattr(error, "param", None)
        what = "参数" if getattr(param, "param_type_name", "") == "argument" else "选项"
        return _one_line(f"错误：缺少{what} {_param_name(error)}{hint}")
    if "BadParameter" in kinds:
        name = _param_name(error)
        for pattern, problem in _VALUE_PROBLEMS:
            match = pattern.fullmatch(message.strip())
            if match:
                return _one_line(f"错误：{name} {problem}，不能是「{match['value']}」")
        return _one_line(f"错误：{name} 的值无效：{message}")
    if "BadOptionUsage" in kinds:
        option = str(getattr(error, "option_name", ""))
        if "requires an argument" in message:
            return _one_line(f"错误：选项 {option} 后面缺少值{hint}")
        return _one_line(f"错误：选项 {option} 用法不对：{message}{hint}")
    command = re.match(r"No such command '(?P<name>[^']*)'", message)
    if command:
        name = command["name"]
        group = getattr(ctx, "command", None)
        names = list(getattr(group, "commands", {}) or {})
        guess = near_miss(name, names)
        if guess:
            return _one_line(f"错误：没有 {name} 命令，是否要用 {guess}？")
        return _one_line(f"错误：没有 {name} 命令；可用：{'、'.join(names)}")
    extra = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)", message)
    if extra:
        return _one_line(f"错误：多余的参数 {extra['args']}{hint}")
    return _one_line(f"错误：命令用法不对：{message}{hint}")
