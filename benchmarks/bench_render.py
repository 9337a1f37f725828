#!/usr/bin/env python3
"""Time 1,000 one-page forms: skillpolicy's compiled renderer against raw zip substitution.

The baseline opens the same template's zip, replaces each ``{{ field }}`` of word/document.xml
with ``str.replace`` and writes a new zip per document (every part rewritten with its original
compression): the least work any renderer could do. The requirement is a ratio <= 1.5::

    python3 benchmarks/bench_render.py [--count 1000]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from skillpolicy.render import DocxTemplate, form_spec, render_documents
from skillpolicy.render.forms import JinchengWorkstation, WorkstationTypes, YesNo

ROOT = Path(__file__).resolve().parents[1]
FORM = "jincheng-workstation-application"


def documents(count: int) -> list[JinchengWorkstation]:
    yes = YesNo.of(True)
    return [
        JinchengWorkstation(
            单位名称=f"晋城市第{n}机械制造有限公司",
            统一社会信用代码="91140525377716615F",
            单位类型="企业",
            单位类型选项=WorkstationTypes(
                企业="☑",
                行业协会="☐",
                科研生产型事业单位="☐",
                市级以上公共技能实训基地="☐",
                技能人才培训基地="☐",
            ),
            单位负责人="秦小红",
            联系电话="0356-6606778",
            手机="13038109421",
            单位联系人="张荣",
            通信地址="山西省晋城市泽州县巴公镇装备制造工业园",
            邮编="048012",
            申报日期="2022年12月8日",
            技师及高级技师人数=str(n % 20),
            培养评价激励制度=yes,
            师带徒计划=yes,
            校企或院所合作=yes,
            资金场地保障=yes,
            先进设施设备=yes,
        )
        for n in range(count)
    ]


def flat(model: JinchengWorkstation) -> dict[str, str]:
    """The model's fields keyed as they are written in the template: 'a' and 'a.b'."""
    out: dict[str, str] = {}
    for key, value in model.model_dump().items():
        if isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            out[key] = value
    return out


def raw_substitution(template: Path, docs: list[JinchengWorkstation], out: Path) -> None:
    with zipfile.ZipFile(template) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    xml = next(data for info, data in parts if info.filename == "word/document.xml").decode()
    names = sorted(set(re.findall(r"\{\{ (.*?) \}\}", xml)))
    for index, doc in enumerate(docs):
        values = flat(doc)
        text = xml
        for name in names:
            text = text.replace(f"{{{{ {name} }}}}", escape(values[name]))
        with zipfile.ZipFile(out / f"{index}.docx", "w") as target:
            for info, data in parts:
                payload = text.encode() if info.filename == "word/document.xml" else data
                target.writestr(info, payload, compress_type=info.compress_type)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    spec = form_spec(FORM)
    template_path = ROOT / "templates" / spec.template_name
    docs = documents(args.count)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        (base / "raw").mkdir()
        start = time.perf_counter()
        raw_substitution(template_path, docs, base / "raw")
        raw = time.perf_counter() - start
        start = time.perf_counter()
        template = DocxTemplate(template_path)  # compiled once per batch
        render_documents(spec, docs, template, base / "ours")
        ours = time.perf_counter() - start
    print(f"{args.count} × {FORM}")
    print(f"raw zip substitution (str.replace): {raw:6.2f} s")
    print(f"skillpolicy render (compiled Jinja): {ours:6.2f} s  (incl. check, summary xlsx)")
    print(f"ratio: {ours / raw:.2f} (must be <= 1.5)")


if __name__ == "__main__":
    main()
