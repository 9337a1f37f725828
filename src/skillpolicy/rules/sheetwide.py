"""A rule still written as a function: an institution against two name lists."""

from __future__ import annotations

from collections.abc import Iterator

from ..domain.findings import Finding
from ..domain.values import fold
from ..policy.namelists import read_name_list
from .base import RowView, Rule, register


class _NameListRule(Rule):
    """A rule that needs one or more name lists named by local parameters."""

    PARAMETERS: tuple[str, ...] = ()
    COLUMN = ""

    def needs(self) -> tuple[str, ...]:
        return (self.COLUMN,)

    def skip_reason(self) -> str | None:
        reason = super().skip_reason()
        if reason:
            return reason
        if not any(self.context.params.is_set(p) for p in self.PARAMETERS):
            names = "、".join(self.PARAMETERS)
            return f"未设置本地参数 {names}（在 {self.context.params.where_to_set()} 中设置）"
        return None

    def names(self, parameter: str) -> frozenset[str] | None:
        if not self.context.params.is_set(parameter):
            return None
        cache = self.__dict__.setdefault("_lists", {})
        if parameter not in cache:
            cache[parameter] = read_name_list(self.context.params.file(parameter))
        result: frozenset[str] = cache[parameter]
        return result


@register("institution-listed")
class InstitutionListed(_NameListRule):
    pure = True
    PARAMETERS = ("institution_directory", "credit_blacklist")
    COLUMN = "培训机构"

    def check(self, row: RowView) -> Iterator[Finding]:
        institution = row.text("培训机构")
        directory = self.names("institution_directory")
        blacklist = self.names("credit_blacklist")
        if not institution:
            yield self.finding(row.number, "培训机构", "培训机构为空；请填写承训机构全称")
            return
        if directory is not None and fold(institution) not in directory:
            yield self.finding(
                row.number,
                "培训机构",
                f"培训机构「{institution}」不在公开的职业技能培训机构目录内；请核对名称或选择目录内机构",
            )
        if blacklist is not None and fold(institution) in blacklist:
            yield self.finding(
                row.number,
                "培训机构",
                f"培训机构「{institution}」在信用黑名单上，不得承担政府补贴培训",
            )
