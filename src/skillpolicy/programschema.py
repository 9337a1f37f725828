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
    """The schema: the Program model, with each rule's ``params`` tied to its kind (``id``)."""
    from .programcheck import RULE_PARAMS
    from .programs import Program

    schema = Program.model_json_schema()
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    rule = defs["RuleSpec"]
    rule["properties"]["id"] = {
        "title": "规则种类",
        "description": "规则编号（种类），决定 params 中可写的键",
        "enum": sorted(RULE_PARAMS),
    }
    branches: list[dict[str, Any]] = []
    for rule_id, model in sorted(RULE_PARAMS.items()):
        params = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(params.pop("$defs", {}))
        defs[model.__name__] = params
        branches.append(
            {
                "if": {"properties": {"id": {"const": rule_id}}, "required": ["id"]},
                "then": {"properties": {"params": {"$ref": f"#/$defs/{model.__name__}"}}},
            }
        )
    rule["allOf"] = branches
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://skillpolicy.invalid/{SCHEMA_FILE}",
        **schema,
        "title": "skillpolicy 项目文件",
        "description": "一个补贴项目（政策文件）的数据：文号、日期、表、规则、金额、本地参数。",
    }
