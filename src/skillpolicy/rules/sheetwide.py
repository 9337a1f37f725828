"""Rules still written as functions: an institution against two name lists, and no repeat
of an earlier year's free training against the ledger."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding
from ..namelists import read_name_list
from ..values import fold
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


@register("no-repeat")
class NoRepeat(Rule):
    """Trained free in the same occupation in an earlier year: checked against the ledger."""

    def needs(self) -> tuple[str, ...]:
        return ("身份证号", "职业(工种)")

    def skip_reason(self) -> str | None:
        reason = super().skip_reason()
        if reason:
            return reason
        if self.context.ledger is None:
            return "未指定台账（--ledger），无法核对以前年度是否参加过同职业（工种）的免费培训"
        return None

    def check(self, row: RowView) -> Iterator[Finding]:
        from ..identifiers import check_resident_id

        person = check_resident_id(row.raw("身份证号"))
        occupation = row.text("职业(工种)")
        if not person.ok or not occupation:
            return
        start = row.date("开班日期") if row.has("开班日期") else None
        year = (start or row.reference_date()).year
        earlier = self.context.ledger.earlier_trainings(
            self.program.id, person.value, occupation, year
        )
        if earlier:
            first = earlier[0]
            yield self.finding(
                row.number,
                "职业(工种)",
                f"该员工以前年度已参加过{occupation}的免费培训（台账中 {first.created_at[:10]} 的运行 "
                f"{first.run_id}），不再参加同职业（工种）的培训；可改报其他职业（工种）",
            )
