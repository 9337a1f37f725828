"""Values by the date they take effect: ``[{ from = 2014-01-01, value = "2000.00" }, …]``.

Any amount, rate, factor, tranche share, local parameter, report threshold or rule bound may be
written this way instead of as one value. Each entry holds from its ``from`` day (inclusive)
until the day before the next entry's ``from``, or until its own ``to`` (inclusive) when it
states one. A run takes, for each row, the entry in force on the row's reference date and
says from when (``（自 2014-01-01 起施行）``). The entries must be in order without overlap,
and when the program states ``in_force`` every day of that period must have a value.

This module sits low (pydantic and the standard library only): the program model, the rules,
the money and the report all use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..io.datafile import KeyedError

__all__ = [
    "DatedEntry",
    "coverage_problems",
    "dated_entries",
    "is_dated",
    "order_problem",
    "resolve_params",
    "since",
    "value_on",
]

Loc = tuple[int | str, ...]
FORM = "按日期取值时每项写成 { from = 2013-01-01, value = … }（可加 to = 截止日）"


class DatedEntry(BaseModel):
    """One value and the day it takes effect (``{ from = 2014-01-01, value = "2000.00" }``),
    optionally the last day it holds (``to``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    start: date = Field(alias="from", description="生效日（含）")
    to: date | None = Field(None, description="截止日（含）；不写为到下一项生效前一天")
    value: Any = Field(description="自生效日起的值")


def is_dated(value: Any) -> bool:
    """Whether a parameter's value is written by dates (a list of tables with ``from`` and
    ``value``; a list of ``{ from, to, years }`` paths is not)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(entry, dict) and {"from", "value"} <= set(entry) for entry in value)
    )


def dated_entries(value: list[Any]) -> list[DatedEntry]:
    """The entries of a dated value as written in TOML; KeyedError on the first malformed one
    (its index and key), on entries out of order or overlapping."""
    out: list[DatedEntry] = []
    for index, entry in enumerate(value):
        if not isinstance(entry, dict) or not {"from", "value"} <= set(entry):
            raise KeyedError(FORM, (index,))
        unknown = sorted(set(entry) - {"from", "to", "value"})
        if unknown:
            raise KeyedError(f"未知的键「{unknown[0]}」；{FORM}", (index, unknown[0]))
        for key in ("from", "to"):
            day = entry.get(key)
            if key in entry and (not isinstance(day, date) or isinstance(day, datetime)):
                raise KeyedError(f"{key} 应为日期，如 2013-01-01（不加引号）", (index, key))
        try:
            out.append(DatedEntry.model_validate(entry))
        except ValidationError as exc:  # pragma: no cover - the checks above cover the form
            raise KeyedError(FORM, (index,)) from exc
    problem = order_problem(out)
    if problem is not None:
        raise KeyedError(problem[1], problem[0])
    return out


def _end(entries: list[DatedEntry], index: int) -> date | None:
    """The last day entry ``index`` holds (None: open)."""
    entry = entries[index]
    if entry.to is not None:
        return entry.to
    if index + 1 < len(entries):
        return entries[index + 1].start - timedelta(days=1)
    return None


def order_problem(entries: list[DatedEntry]) -> tuple[Loc, str] | None:
    """The first of: a ``to`` before its ``from``, an entry not after the one before it
    (order), an entry starting before the one before it ends (overlap)."""
    for index, entry in enumerate(entries):
        if entry.to is not None and entry.to < entry.start:
            return (index, "to"), f"to {entry.to} 早于 from {entry.start}"
        if index == 0:
            continue
        before = entries[index - 1]
        if entry.start == before.start:
            return (index, "from"), (
                f"生效日 {entry.start} 与前一项相同：同一天起施行两个值，相互重叠"
            )
        if entry.start < before.start:
            return (index, "from"), (
                f"须按 from 从早到晚排列：{entry.start} 早于前一项的 {before.start}"
            )
        if before.to is not None and entry.start <= before.to:
            return (index, "from"), (
                f"与前一项重叠：前一项施行到 {before.to}，这一项自 {entry.start} 起"
            )
    return None


def coverage_problems(
    entries: list[DatedEntry], start: date, end: date | None, fallback: bool = False
) -> list[tuple[Loc, str]]:
    """Where the period ``start``–``end`` (the program's ``in_force``) has no value: before
    the first entry, between entries, after the last one's ``to``. With ``fallback`` (an
    undated value beside the entries) only the gaps after the first entry count."""
    problems: list[tuple[Loc, str]] = []
    if not entries:
        return problems
    if not fallback and entries[0].start > start:
        problems.append(
            (
                (0, "from"),
                f"施行期间自 {start} 起，但最早的值自 {entries[0].start} 起生效："
                f"{start} 至 {entries[0].start - timedelta(days=1)} 没有值",
            )
        )
    for index in range(len(entries)):
        last = _end(entries, index)
        if last is None or (end is not None and last >= end):
            break
        following = entries[index + 1].start if index + 1 < len(entries) else None
        if following is not None and following <= last + timedelta(days=1):
            continue
        if last < start:
            continue
        gap_end = (following - timedelta(days=1)) if following is not None else end
        shown = f"{gap_end}" if gap_end is not None else "今"
        problems.append(
            (
                (index, "to"),
                f"施行期间内 {last + timedelta(days=1)} 至 {shown} 没有值（这一项施行到 {last}）",
            )
        )
    return problems


def _in_force(entries: list[DatedEntry], day: date) -> DatedEntry | None:
    chosen = None
    for index, entry in enumerate(entries):
        if entry.start > day:
            break
        last = _end(entries, index)
        chosen = entry if last is None or day <= last else None
    return chosen


def value_on(value: Any, day: date) -> tuple[Any, date | None]:
    """A parameter's value on ``day`` and the day it took effect (None: not dated). A day
    before every entry, or in a gap, takes the nearest entry before it, else the first."""
    if not is_dated(value):
        return value, None
    entries = dated_entries(value)
    found = _in_force(entries, day) or next(
        (e for e in reversed(entries) if e.start <= day), entries[0]
    )
    return found.value, found.start


def since(start: date | None) -> str:
    """How a line or explanation says from when a dated value applies ("" for an undated one)."""
    return f"（自 {start.isoformat()} 起施行）" if start is not None else ""


def resolve_params(params: dict[str, Any], day: date) -> tuple[dict[str, Any], dict[str, date]]:
    """``params`` with every dated value replaced by the one in force on ``day``, and the day
    each of those took effect (by parameter name)."""
    resolved: dict[str, Any] = {}
    starts: dict[str, date] = {}
    for name, value in params.items():
        resolved[name], start = value_on(value, day)
        if start is not None:
            starts[name] = start
    return resolved, starts


def dated_names(params: dict[str, Any]) -> tuple[str, ...]:
    """The names of the parameters written by dates."""
    return tuple(name for name, value in params.items() if is_dated(value))


def iter_dated(params: dict[str, Any]) -> Iterator[tuple[str, list[Any]]]:
    """Each dated parameter with its entries as written."""
    for name, value in params.items():
        if is_dated(value):
            yield name, value
