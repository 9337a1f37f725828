"""A batch: check the template, render every document atomically, write the summary workbook."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.errors import InputError
from ..io.fileio import atomic_path, check_output, os_error_text
from ..io.resources import SearchPath
from .check import CheckReport, check_template
from .engine import DocxTemplate, RenderError
from .forms import FormModel, FormSpec
from .names import unique_file_name


@dataclass
class RenderResult:
    form: str
    out_dir: Path
    documents: list[Path] = field(default_factory=list)
    summary: Path | None = None
    pdfs: list[Path] = field(default_factory=list)


def find_template(spec: FormSpec, templates: SearchPath) -> Path:
    """The form's .docx: the clerk's --template-dir first, then the shipped one."""
    found = templates.find(spec.template_name)
    if found is None:
        folders = "、".join(str(d) for d in templates.dirs)
        raise InputError(f"找不到文书 {spec.id} 的模板 {spec.template_name}（查找了：{folders}）")
    return found


def open_template(spec: FormSpec, templates: SearchPath) -> DocxTemplate:
    return DocxTemplate(find_template(spec, templates))


def check(spec: FormSpec, templates: SearchPath) -> CheckReport:
    return check_template(spec, open_template(spec, templates))


def _refuse_broken(report: CheckReport) -> None:
    if not report.ok:
        details = "；".join(problem.message for problem in report.problems)
        raise RenderError(
            f"模板与文书数据不符，未生成任何文件：{details}（详见 skillpolicy render {report.form} --check）",
            file=report.template,
        )


def write_summary(spec: FormSpec, rows: list[tuple[str, FormModel]], target: Path) -> None:
    """One row per document: its file name and the form's key fields."""
    from openpyxl import Workbook

    from ..io.xlsxout import print_setup, set_widths, write_row

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "汇总"
    headers = ["序号", "文件名", *spec.summary]
    write_row(sheet, 1, headers, header=True)
    for index, (name, model) in enumerate(rows, start=1):
        values = [getattr(model, column) for column in spec.summary]
        write_row(sheet, index + 1, [index, name, *values])
    set_widths(sheet, [6, 48, *[24] * len(spec.summary)])
    sheet.freeze_panes = "A2"
    print_setup(sheet, landscape=len(headers) > 5, wrap_from=2)
    with atomic_path(target) as temporary:
        book.save(temporary)


def render_documents(
    spec: FormSpec,
    documents: Sequence[FormModel],
    template: DocxTemplate,
    out_dir: Path,
    *,
    pdf: bool = False,
    font_aliases: Path | None = None,
    force: bool = False,
    inputs: Sequence[Path | None] = (),
) -> RenderResult:
    """Write one .docx per document into ``out_dir`` (created if missing), each atomically.

    The template is checked against the form first and the first document is rendered in
    memory before anything is written, so a broken template writes nothing. Every file the
    batch would write is checked first (:func:`~skillpolicy.io.fileio.check_output`): an existing
    one is replaced only with ``force``, an input or a non-regular file never.
    """
    if pdf:
        from .pdf import soffice

        soffice()  # no LibreOffice: stop before writing anything
    _refuse_broken(check_template(spec, template))
    if not documents:
        raise InputError("数据中没有可生成文书的行")
    names = _file_names(spec, documents)
    for name in [*names, _summary_name(spec)]:
        check_output(out_dir / name, force=force, inputs=inputs)
    if pdf:
        for name in names:
            check_output(out_dir / Path(name).with_suffix(".pdf"), force=force, inputs=inputs)
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"无法创建输出目录：{os_error_text(exc)}", file=out_dir) from exc
    if not out_dir.is_dir():
        raise InputError("输出路径不是目录", file=out_dir)
    try:
        return _write_batch(spec, documents, names, template, out_dir, pdf, font_aliases)
    except InputError:
        if created:  # a folder this run made and could not fill is not left behind empty
            with contextlib.suppress(OSError):
                out_dir.rmdir()
        raise


def _summary_name(spec: FormSpec) -> str:
    return f"{spec.id}-汇总.xlsx"


def _file_names(spec: FormSpec, documents: Sequence[FormModel]) -> list[str]:
    """Each document's file name in the output folder, unique and apart from the summary's."""
    taken: set[str] = {_summary_name(spec).casefold()}
    return [unique_file_name(spec.file_name(document), ".docx", taken) for document in documents]


def _write_batch(
    spec: FormSpec,
    documents: Sequence[FormModel],
    names: Sequence[str],
    template: DocxTemplate,
    out_dir: Path,
    pdf: bool,
    font_aliases: Path | None,
) -> RenderResult:
    result = RenderResult(form=spec.id, out_dir=out_dir)
    named: list[tuple[str, FormModel]] = []
    for name, document in zip(names, documents, strict=True):
        data = template.render_bytes(document.model_dump())
        if spec.finish is not None:
            data = spec.finish(document, data)
        target = out_dir / name
        with atomic_path(target) as temporary:
            temporary.write_bytes(data)
        result.documents.append(target)
        named.append((name, document))
    result.summary = out_dir / _summary_name(spec)
    write_summary(spec, named, result.summary)
    if pdf:
        from .pdf import convert_to_pdf

        result.pdfs = convert_to_pdf(result.documents, out_dir, font_aliases)
    return result
