"""The JSON Schema of a program file, generated from the same pydantic models that load it.

An editor given this schema (``#:schema`` on the first line of a program file, or
``skillpolicy program schema > program.schema.json``) checks keys, types, dates and each rule
kind's ``params`` while the file is typed; ``skillpolicy program check`` checks the rest.
"""

from __future__ import annotations

from typing import Any

SCHEMA_FILE = "program.schema.json"  # beside programs/ in a catalog folder
SCHEMA_DIRECTIVE = f"#:schema ../{SCHEMA_FILE}"


def program_json_schema() -> dict[str, Any]:
    """The schema: the Program model, with each rule's ``params`` tied to its kind (``kind``,
    or for a registered function its ``function`` or ``id``)."""
    from ..policy.programs import Program
    from .programcheck import KIND_PARAMS, RULE_PARAMS

    schema = Program.model_json_schema()
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    rule = defs["RuleSpec"]
    rule["properties"]["kind"] = {
        "title": "规则种类",
        "description": "规则种类，决定 params 中可写的键；function：程序中登记的规则（id 或 function）",
        "enum": ["function", *sorted(KIND_PARAMS)],
        "default": "function",
    }
    rule["properties"]["function"] = {
        "title": "登记的规则",
        "description": "kind = function 时登记的规则名（默认同 id）",
        "enum": sorted(RULE_PARAMS),
    }
    branches: list[dict[str, Any]] = []

    def add(model: type[Any], test: dict[str, Any], required: list[str]) -> None:
        params = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(params.pop("$defs", {}))
        defs[model.__name__] = params
        branches.append(
            {
                "if": {"properties": test, "required": required},
                "then": {"properties": {"params": {"$ref": f"#/$defs/{model.__name__}"}}},
            }
        )

    for kind_name, kind_model in sorted(KIND_PARAMS.items()):
        add(kind_model, {"kind": {"const": kind_name}}, ["kind"])
    for rule_id, model in sorted(RULE_PARAMS.items()):
        function = {"kind": {"const": "function"}}
        add(model, {**function, "function": {"const": rule_id}}, ["function"])
        add(model, {**function, "id": {"const": rule_id}}, ["id"])
    rule["allOf"] = branches
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://skillpolicy.invalid/{SCHEMA_FILE}",
        **schema,
        "title": "skillpolicy 项目文件",
        "description": "一个补贴项目（政策文件）的数据：文号、日期、表、规则、金额、本地参数。",
    }
