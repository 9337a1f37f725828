"""The column headers the sheets use, their aliases and the kind of value each holds.

Headers are matched after :func:`skillpolicy.values.fold_header`. Aliases (INTERFACE.md
"Sheets") apply to sheets with one person a row (roster, technician, award) only: on an
application sheet 联系电话, 手机 and 培训职业 are separate columns of their own.
"""

from __future__ import annotations

from typing import Literal

from .values import fold_header, header_without_note

ValueKind = Literal[
    "text",
    "id",
    "phone",
    "date",
    "ratio",
    "int",
    "level",
    "yesno",
    "occupation",
    "choice",
    "credit-code",
    "postcode",
    "decimal",
    "multi-choice",
]

# canonical header -> kind of value (used by the blank template and its dropdowns)
COLUMN_KINDS: dict[str, ValueKind] = {
    "姓名": "text",
    "身份证号": "id",
    "性别": "choice",
    "联系电话": "phone",
    "职业(工种)": "occupation",
    "现等级": "level",
    "取证日期": "date",
    "申报等级": "level",
    "人员类别": "choice",
    "培训类型": "choice",
    "培训形式": "choice",
    "开班日期": "date",
    "结业日期": "date",
    "开班审批日期": "date",
    "到课率": "ratio",
    "鉴定结果": "choice",
    "证书编号": "text",
    "所在企业": "text",
    "培训机构": "text",
    "所在地": "choice",
    "劳动合同期限(月)": "int",
    "社保缴纳月数": "int",
    "补贴领取方式": "choice",
    "培训类别": "choice",
    "抽查次数": "int",
    "本地院校": "yesno",
    # application sheets
    "单位名称": "text",
    "统一社会信用代码": "credit-code",
    "单位类型": "choice",
    "行业主管部门": "text",
    "单位负责人": "text",
    "手机": "phone",
    "单位联系人": "text",
    "联系人电话": "phone",
    "联系人手机": "phone",
    "通信地址": "text",
    "邮编": "postcode",
    "申报日期": "date",
    "主体资格": "multi-choice",
    "培训职业": "occupation",
    "培训人数": "int",
    "申报优势说明": "text",
    "技师及高级技师人数": "int",
    "培养评价激励制度": "yesno",
    "师带徒计划": "yesno",
    "校企或院所合作": "yesno",
    "资金场地保障": "yesno",
    "先进设施设备": "yesno",
    "管理制度": "yesno",
    "无违规记录": "yesno",
    "紧缺专业实训装备数": "int",
    "年培训人数": "int",
    "合作企业数": "int",
    "共建专业数": "int",
    "师资队伍": "yesno",
    # designation sheets
    "评审得分": "decimal",
    "是否授牌": "yesno",
    "验收结果": "choice",
    # city training plan sheets (one city, key enterprise and occupation a row; Fujian 二)
    "设区市": "choice",
    "企业名称": "text",
    "行业": "text",
    "计划人数": "int",
    "承训机构": "text",
    "报送日期": "date",
    # expert score sheets (one unit and expert a row; Jincheng 三、3)
    "专家": "text",
    "评分": "decimal",
    "资料审查得分": "decimal",
    "答辩得分": "decimal",
    "回避专家": "text",
    # Xuchang award lists (许昌市技术能手, 许昌市技能大奖)
    "奖项": "choice",
    "评选年度": "int",
    "名次": "int",
    # employee education fund levy sheets (one enterprise a row)
    "职工工资总额": "decimal",
    "提取比例": "ratio",
    "规模以上": "yesno",
    "开展职工培训": "yesno",
}

ROSTER_ALIASES: dict[str, tuple[str, ...]] = {
    "身份证号": ("身份证号码", "公民身份号码"),
    "联系电话": ("手机", "手机号码"),
    "职业(工种)": ("职业", "工种", "培训职业"),
    "现等级": ("现职业资格等级",),
    "取证日期": ("现等级取证日期",),
    "鉴定结果": ("考核结果",),
    "所在企业": ("工作单位",),
    "培训机构": ("承训机构",),
    "所在地": ("所在市", "地区"),
    "名次": ("排序", "排名"),
}

# the kinds whose rows are people, where ROSTER_ALIASES apply
PERSON_KINDS = frozenset({"roster", "award", "technician"})

PLAN_ALIASES: dict[str, tuple[str, ...]] = {
    "设区市": ("所在市", "地市"),
    "企业名称": ("重点企业", "企业"),
    "职业(工种)": ("职业", "工种", "培训职业"),
    "承训机构": ("培训机构",),
    "报送日期": ("上报日期",),
}

SCORE_ALIASES: dict[str, tuple[str, ...]] = {
    "专家": ("评审专家", "专家姓名"),
    "评分": ("专家评分", "总分"),
}

LEVY_ALIASES: dict[str, tuple[str, ...]] = {
    "职工工资总额": ("工资总额", "职工工资总额(元)"),
    "提取比例": ("职工教育经费提取比例",),
}

SHEET_KIND_NAMES: dict[str, str] = {
    "roster": "学员花名册",
    "application": "申报表",
    "designation": "评审授牌表",
    "award": "技能人才奖励名单",
    "technician": "急需紧缺技师培养名册",
    "levy": "职工教育经费征收表",
    "score": "专家评分表",
    "plan": "培训计划表",
}

# the key headers that tell the sheet kinds apart (INTERFACE.md "Sheets"), in detection order:
# a kind whose keys include another's comes before it (award before roster, levy before
# application). A technician sheet looks like a roster, whose keys are a subset of its own and
# come first, so it is never detected from its headers: it is chosen with --kind technician.
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "designation": ("单位名称", "是否授牌"),
    "levy": ("单位名称", "职工工资总额"),
    "score": ("单位名称", "专家", "评分"),
    "plan": ("设区市", "企业名称", "计划人数"),
    "award": ("姓名", "身份证号", "奖项"),
    "roster": ("姓名", "身份证号"),
    "technician": ("姓名", "身份证号", "申报等级"),
    "application": ("单位名称",),
}


def _folded_index(kind: str) -> dict[str, str]:
    index = {fold_header(name): name for name in COLUMN_KINDS}
    aliases_by_kind = ROSTER_ALIASES if kind in PERSON_KINDS else {}
    if kind == "levy":
        aliases_by_kind = LEVY_ALIASES
    if kind == "score":
        aliases_by_kind = SCORE_ALIASES
    if kind == "plan":
        aliases_by_kind = PLAN_ALIASES
    for canonical, aliases in aliases_by_kind.items():
        for alias in aliases:
            index[fold_header(alias)] = canonical
    return index


_INDEX = {kind: _folded_index(kind) for kind in KIND_KEYS}


def canonical_header(text: str, kind: str) -> str | None:
    """The canonical name of a header cell on a sheet of ``kind``, or None if unknown.

    The header as written is looked up first (``职业(工种)``, ``劳动合同期限(月)`` keep their
    brackets), then without a trailing bracketed unit or note (``到课率(%)`` is ``到课率``).
    """
    index = _INDEX[kind]
    folded = fold_header(text)
    found = index.get(folded)
    if found is None and folded.endswith(")"):
        found = index.get(header_without_note(folded))
    return found
