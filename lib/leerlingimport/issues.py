"""Problems with a file or a row, as data: ``Issue(code, severity, row, column, value, message)``.

Codes are stable kebab-case names; the notebook, the portal, the CLI and the report all show
the same text. Messages are Dutch by default (the school's language) and English on request.
Each names the row as the school sees it in its spreadsheet (header row counted) and the column
as the school named it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from leerlingimport.issue_catalogue import CATALOGUE

Severity = Literal["error", "warning", "info"]
Language = Literal["nl", "en"]


@dataclass(frozen=True)
class Issue:
    """One problem. ``row`` is None for file-level issues; ``column`` is the school's header."""

    code: str
    severity: Severity
    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def make_issue(
    code: str,
    *,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
    language: Language = "nl",
    **details: object,
) -> Issue:
    """An issue with its catalogue severity and message, filled in with ``details``."""
    severity, nl, en = CATALOGUE[code]
    shown = None if value is None else _clip(str(value))
    column = None if column is None else _clip(column)
    safe = {k: _clip(v, 300) if isinstance(v, str) else v for k, v in details.items()}
    text = (nl if language == "nl" else en).format(row=row, column=column, value=shown, **safe)
    return Issue(code, severity, row, column, shown, _where(row, column, language) + text)


SEVERITY_LABELS: dict[Language, dict[str, str]] = {
    "nl": {"error": "fout", "warning": "waarschuwing", "info": "opmerking"},
    "en": {"error": "error", "warning": "warning", "info": "note"},
}


def in_order(issues: Iterable[Issue]) -> list[Issue]:
    """File-level issues first, then by row, errors before warnings within a row."""
    rank = {"error": 0, "warning": 1, "info": 2}
    return sorted(issues, key=lambda i: (i.row is not None, i.row or 0, rank[i.severity]))


def render_issue(issue: Issue, language: Language = "nl") -> str:
    """One issue as a line for a person: its severity in words, then the message (the code is
    for scripts: ``--json`` has it)."""
    return f"{SEVERITY_LABELS[language][issue.severity]}: {issue.message}"


def plural(count: int, one: str, many: str) -> str:
    """``1 rij``, ``2 rijen``."""
    return f"{count} {one if count == 1 else many}"


def has_errors(issues: Iterable[Issue]) -> bool:
    """Whether any issue is an error."""
    return any(i.severity == "error" for i in issues)


def file_errors(issues: Iterable[Issue]) -> list[Issue]:
    """The errors that reject the whole file (no row)."""
    return [i for i in issues if i.severity == "error" and i.row is None]


def bounded(items: Sequence[str], limit: int = 5, language: Language = "nl") -> str:
    """``a, b, c ... en nog 37``: a long list kept short enough to read."""
    shown = ", ".join(items[:limit])
    rest = len(items) - limit
    if rest <= 0:
        return shown
    if language == "nl":
        return f"{shown} ... en nog {rest}"
    return f"{shown} ... and {rest} more"


def _where(row: int | None, column: str | None, language: Language) -> str:
    parts = []
    if row is not None:
        parts.append(f"{'rij' if language == 'nl' else 'row'} {row}")
    if column:
        parts.append(f"{'kolom' if language == 'nl' else 'column'} '{column}'")
    return (", ".join(parts) + ": ") if parts else ""


_UNPRINTABLE = {c: "?" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}
_UNPRINTABLE.update({c: "?" for c in (0x200B, 0x200E, 0x200F, 0x2028, 0x2029, 0xFEFF)})
_UNPRINTABLE.update({c: "?" for c in range(0x202A, 0x202F)})
_UNPRINTABLE.update({c: "?" for c in range(0x2066, 0x206A)})


def _clip(text: str, limit: int = 60) -> str:
    """A value from a file as it may be shown: bounded, and without control or bidirectional
    characters that a terminal or a page would act on."""
    text = text[: limit + 1].translate(_UNPRINTABLE)
    return text if len(text) <= limit else text[: limit - 1] + "…"
