"""The column headers the sheets use, their aliases and the kind of value each holds.

Headers are matched after :func:`skillpolicy.values.fold_header`. Aliases (INTERFACE.md
"Sheets") apply to rosters only: on an application sheet 联系电话, 手机 and 培训职业 are
separate columns of their own.
"""

from __future__ import annotations

from typing import Literal

from .values import fold_header

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
}

# the key headers that tell the sheet kinds apart (INTERFACE.md "Sheets"), in detection order
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "designation": ("单位名称", "是否授牌"),
    "roster": ("姓名", "身份证号"),
    "application": ("单位名称",),
}


def _folded_index(kind: str) -> dict[str, str]:
    index = {fold_header(name): name for name in COLUMN_KINDS}
    if kind == "roster":
        for canonical, aliases in ROSTER_ALIASES.items():
            for alias in aliases:
                index[fold_header(alias)] = canonical
    return index


_INDEX = {kind: _folded_index(kind) for kind in KIND_KEYS}


def canonical_header(text: str, kind: str) -> str | None:
    """The canonical name of a header cell on a sheet of ``kind``, or None if unknown."""
    return _INDEX[kind].get(fold_header(text))
