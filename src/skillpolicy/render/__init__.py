"""Printing the official Word forms from a sheet or a TOML file (``skillpolicy render``).

:data:`~skillpolicy.render.forms.FORMS` lists the forms; :class:`DocxTemplate` compiles a
template once; :func:`render_documents` writes a batch; :func:`check_template` compares a
template's placeholders with its form's data model.
"""

from __future__ import annotations

from .batch import RenderResult, check, find_template, open_template, render_documents
from .check import CheckProblem, CheckReport, check_template
from .engine import DocxTemplate, RenderError
from .forms import FORMS, FormModel, FormSpec, RenderOptions, form_spec, load_documents
from .names import safe_stem, unique_file_name

__all__ = [
    "FORMS",
    "CheckProblem",
    "CheckReport",
    "DocxTemplate",
    "FormModel",
    "FormSpec",
    "RenderError",
    "RenderOptions",
    "RenderResult",
    "check",
    "check_template",
    "find_template",
    "form_spec",
    "load_documents",
    "open_template",
    "render_documents",
    "safe_stem",
    "unique_file_name",
]
