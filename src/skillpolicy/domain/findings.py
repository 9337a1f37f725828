"""Rule outcomes as data: one Finding feeds the terminal table, the JSON and the annotated copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast

from .privacy import redact

# the ledger's own rule, in no program file: the line was paid by an earlier run (validate
# reports it, subsidy refuses it, the ledger and the monthly report count it apart)
ALREADY_PAID = "already-paid"

Severity = Literal["error", "warning", "review"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "review")

SEVERITY_NAMES: dict[str, str] = {"error": "错误", "warning": "警告", "review": "复核"}


@dataclass(frozen=True, slots=True)
class Finding:
    row: int | None  # worksheet row as the spreadsheet shows it; None for the sheet as a whole
    column: str | None  # canonical header
    rule: str
    severity: Severity
    message: str  # Chinese: what is wrong and what would make it right
    citation: str  # document number + clause

    def __post_init__(self) -> None:
        # a message may quote a cell: never an unmasked identity, phone or account number
        masked = redact(self.message)
        if masked is not self.message:
            object.__setattr__(self, "message", masked)

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "citation": self.citation,
        }

    def reason_json(self) -> dict[str, str]:
        """The finding as a refusal reason in ``subsidy`` and ``levy`` JSON (INTERFACE.md):
        rule, message and citation."""
        return {"rule": self.rule, "message": self.message, "citation": self.citation}

    def reason_text(self) -> str:
        """The finding as a refusal reason reads in a table or a sheet: its message and
        clause, ``message（citation）``; a reason recorded by rule id alone shows the id."""
        what = self.message or self.rule
        return f"{what}（{self.citation}）" if self.citation else what

    def record(self) -> dict[str, Any]:
        """What the ledger keeps of a refusal reason (the row is the line's own)."""
        return {
            "rule": self.rule,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
            "citation": self.citation,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any], row: int | None) -> Finding:
        """A reason as :meth:`record` kept it; missing parts (a ledger migrated from rule ids
        alone) read as empty, an unknown severity as an error."""
        severity = record.get("severity")
        return cls(
            row=row,
            column=record.get("column") or None,
            rule=str(record.get("rule") or ""),
            severity=cast(Severity, severity) if severity in SEVERITIES else "error",
            message=str(record.get("message") or ""),
            citation=str(record.get("citation") or ""),
        )
