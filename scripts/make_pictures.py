#!/usr/bin/env python3
"""Make the README's pictures of each printed document from the bundled examples.

Every form, the public notice and the monthly report are rendered from ``examples/``, printed
to PDF with LibreOffice (``soffice``) and turned into small PNGs with ``pdftoppm`` (poppler),
one per page, into ``docs/pictures/``::

    python3 scripts/make_pictures.py [--out docs/pictures] [--dpi 36]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl

from skillpolicy.compute.paycommit import commit_payout
from skillpolicy.compute.subsidy import compute_subsidy
from skillpolicy.ledger.sqlite import SqliteLedger
from skillpolicy.loading.programfiles import load_program
from skillpolicy.render import DocxTemplate, RenderOptions, form_spec, load_documents
from skillpolicy.render import render_documents as render_batch
from skillpolicy.render.pdf import convert_to_pdf
from skillpolicy.report import write_monthly_report

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PARAMS = EXAMPLES / "skillpolicy.toml"
FONTS = ROOT / "templates" / "fonts" / "skillpolicy-fonts.conf"

# form, example data, options, which document of the batch (its file name's stem)
FORMS = [
    (
        "guangxi-2012-application",
        "guangxi-2012-technician-application.xlsx",
        {},
        "附件2-广西桂南技师学院",
    ),
    (
        "jincheng-workstation-application",
        "jincheng-2022-workstation.xlsx",
        {},
        "技师工作站申报书-晋城市第一技工学校",
    ),
    (
        "xuchang-class-approval",
        "xuchang-2013-revitalization.xlsx",
        {},
        "开班审批表-许昌市魏都区华夏职业培训学校-电焊工-2013年9月2日",
    ),
    (
        "payout-notice",
        "guangxi-2012-technician.xlsx",
        {"program": "guangxi-2012-technician", "params": PARAMS},
        "补贴拨付通知-广西北部湾制药股份有限公司",
    ),
    (
        "jincheng-notice",
        "评审授牌表.xlsx",  # the example's clean designated rows, made by clean_designations
        {
            "program": "jincheng-2022-workstation",
            "params": PARAMS,
            "published": dt.date(2026, 9, 28),
            "doc_number": "晋市人社〔2026〕12号",
        },
        "公示-晋城市市级技师工作站",
    ),
]


def clean_designations(target: Path) -> Path:
    """The example designation sheet's designated units whose rows the rules accept."""
    from skillpolicy.domain.identifiers import check_credit_code

    source = openpyxl.load_workbook(EXAMPLES / "jincheng-2022-workstation-designation.xlsx")
    rows = list(source.worksheets[0].iter_rows(min_row=4, values_only=True))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["单位名称", "统一社会信用代码", "评审得分", "是否授牌", "验收结果"])
    for _, name, code, score, designated, _ in rows:
        if designated == "是" and check_credit_code(code).ok:
            sheet.append([name, code, score, "是", None])
    book.save(target)
    return target


def pictures(pdf: Path, out: Path, name: str, dpi: int) -> list[Path]:
    """One PNG per page of ``pdf``: ``out/name-1.png``, ``out/name-2.png``…"""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out / name)], check=True)
    made = sorted(out.glob(f"{name}-*.png"))
    for path in made:  # pdftoppm pads page numbers for long documents: keep names plain
        plain = out / f"{name}-{int(path.stem.rsplit('-', 1)[1])}.png"
        path.rename(plain)
    return sorted(out.glob(f"{name}-*.png"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "pictures")
    parser.add_argument("--dpi", type=int, default=36)
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm (poppler-utils) is needed")
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        for form, data, options, stem in FORMS:
            spec = form_spec(form)
            source = EXAMPLES / data
            if form == "jincheng-notice":
                source = clean_designations(folder / data)
            documents = load_documents(
                spec,
                source,
                RenderOptions(allow_errors=True, **options),  # type: ignore[arg-type]
            )
            template = DocxTemplate(ROOT / "templates" / spec.template_name)
            result = render_batch(
                spec, documents, template, folder / form, pdf=True, font_aliases=FONTS
            )
            pdf = next(p for p in result.pdfs if p.stem == stem)
            for path in pictures(pdf, args.out, form, args.dpi):
                print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
        with SqliteLedger(folder / "ledger.sqlite3") as ledger:
            for program, roster in (
                ("guangxi-2012-technician", "guangxi-2012-technician.xlsx"),
                ("xuchang-2013-revitalization", "xuchang-2013-revitalization.xlsx"),
            ):
                payout = compute_subsidy(
                    EXAMPLES / roster, load_program(program), params_file=PARAMS, ledger=ledger
                )
                commit_payout(payout, ledger)
            files = write_monthly_report(ledger, folder / "月报", "2013-10")
        (pdf,) = convert_to_pdf([files.document], files.document.parent, FONTS)
        for path in pictures(pdf, args.out, "monthly-report", args.dpi):
            print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
