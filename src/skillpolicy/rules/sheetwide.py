"""Rules that look across rows: shares, quotas, classes and institutions; lists from parameters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from ..findings import Finding
from ..namelists import read_name_list
from ..values import fold
from .base import CellProblem, RowView, Rule, register
from .training import percent


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


@register("inspections")
class Inspections(Rule):
    """Each class (institution, occupation, start date) inspected at least 3 times."""

    KEY = ("培训机构", "职业(工种)", "开班日期")

    def setup(self) -> None:
        self.minimum = int(self.params["minimum"])
        self.classes: dict[tuple[object, ...], list[int]] = defaultdict(list)
        self.counts: dict[tuple[object, ...], int] = defaultdict(int)

    def needs(self) -> tuple[str, ...]:
        return (*self.KEY, "抽查次数")

    def check(self, row: RowView) -> Iterator[Finding]:
        try:  # a class is its date, however the date was typed
            start: object = row.date("开班日期")
        except CellProblem:
            start = row.text("开班日期")
        key = (row.text("培训机构"), row.text("职业(工种)"), start)
        # a blank count is no recorded inspection; the class takes the highest count any row records
        count = row.int("抽查次数") or 0
        self.classes[key].append(row.number)
        self.counts[key] = max(self.counts[key], count)
        return iter(())

    def finish(self) -> Iterator[Finding]:
        for key, rows in self.classes.items():
            count = self.counts[key]
            if count < self.minimum:
                institution, occupation, _ = key
                for number in rows:
                    yield self.finding(
                        number,
                        "抽查次数",
                        f"该班（{institution} {occupation}，开班日期相同的{len(rows)}名学员）抽查{count}次，"
                        f"少于{self.minimum}次；请培训主管部门补足抽查并记录",
                    )


@register("institution-standing")
class InstitutionStanding(Rule):
    """An institution whose pass rate in this sheet is below 80% (a warning for the sheet)."""

    def setup(self) -> None:
        self.minimum = Decimal(str(self.params["minimum_pass_rate"]))
        self.results: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def needs(self) -> tuple[str, ...]:
        return ("培训机构", "鉴定结果")

    def check(self, row: RowView) -> Iterator[Finding]:
        outcome = row.text("鉴定结果")
        institution = row.text("培训机构")
        if institution and outcome in ("合格", "不合格"):
            counts = self.results[institution]
            counts[0] += 1
            counts[1] += outcome == "合格"
        return iter(())

    def finish(self) -> Iterator[Finding]:
        for institution, (assessed, passed) in sorted(self.results.items()):
            rate = Decimal(passed) / Decimal(assessed)
            if rate < self.minimum:
                yield self.finding(
                    None,
                    "培训机构",
                    f"培训机构「{institution}」本表鉴定{assessed}人、合格{passed}人，合格率{percent(rate)}，"
                    f"低于{percent(self.minimum)}：按规定应取消其定点培训资格，请核实",
                )


@register("quota")
class Quota(Rule):
    """At most N units designated; those ranked below the quota by 评审得分 are refused."""

    def setup(self) -> None:
        self.maximum = int(self.params["maximum"])
        self.designated: list[tuple[Decimal | None, int]] = []

    def needs(self) -> tuple[str, ...]:
        return ("是否授牌",)

    def check(self, row: RowView) -> Iterator[Finding]:
        if row.yes_no("是否授牌"):
            try:
                score = row.decimal("评审得分") if row.has("评审得分") else None
            except CellProblem:
                score = None  # an unreadable score ranks last
            self.designated.append((score, row.number))
        return iter(())

    def finish(self) -> Iterator[Finding]:
        count = len(self.designated)
        if count <= self.maximum:
            return
        yield self.finding(
            None,
            "是否授牌",
            f"授牌单位{count}个，超过上限{self.maximum}个；请按评审得分从高到低保留{self.maximum}个",
        )
        # highest score first; no score last
        ranked = sorted(
            self.designated,
            key=lambda item: (item[0] is None, -(item[0] or Decimal(0)), item[1]),
        )
        # units tied on the score that straddles the quota line are not decided by sheet order
        # (POLICIES.md "Quota ties"): each is held for review, none designated silently
        tied: list[tuple[Decimal | None, int]] = []
        if self.maximum > 0 and ranked[self.maximum - 1][0] == ranked[self.maximum][0]:
            tied = [item for item in ranked if item[0] == ranked[self.maximum][0]]
        if tied:
            first_rank = ranked.index(tied[0]) + 1
            places = self.maximum - first_rank + 1
            rows = "、".join(f"第{number}行" for _score, number in tied)
        for score, number in tied:
            shown = f"评审得分{score}" if score is not None else "没有评审得分"
            yield self.finding(
                number,
                "是否授牌",
                f"授牌单位共{count}个，超过上限{self.maximum}个；本单位{shown}，与{rows}共"
                f"{len(tied)}个单位并列第{first_rank}名，名额只剩{places}个，不能按表中顺序决定；"
                "待评审确定后再授牌和拨付",
                "review",
            )
        for rank, (score, number) in enumerate(ranked[self.maximum :], start=self.maximum + 1):
            if (score, number) in tied:
                continue
            shown = f"评审得分{score}" if score is not None else "没有评审得分"
            yield self.finding(
                number,
                "是否授牌",
                f"授牌单位共{count}个，超过上限{self.maximum}个；本单位{shown}，排第{rank}名，"
                "在名额之外，不予授牌和拨付",
            )
