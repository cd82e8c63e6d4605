"""``check``: what the school, the library and the portal see about a file before any import."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from leerlingimport.ingest import FileFormat, ingest
from leerlingimport.issues import Issue, Language
from leerlingimport.params import SchoolParams
from leerlingimport.schema import SOURCE_ROW


@dataclass(frozen=True)
class CheckResult:
    """The outcome of reading (and validating) one file."""

    format: FileFormat
    columns: dict[str, str]
    dropped_columns: list[str]
    table: pd.DataFrame
    issues: list[Issue]

    @property
    def rows(self) -> int:
        return len(self.table)

    @property
    def rejected_rows(self) -> set[int]:
        return {i.row for i in self.issues if i.severity == "error" and i.row is not None}

    @property
    def valid_rows(self) -> int:
        if self.rejected:
            return 0
        return int((~self.table[SOURCE_ROW].isin(self.rejected_rows)).sum())

    @property
    def rejected(self) -> bool:
        """The file as a whole is rejected: an error without a row, or no usable row."""
        return any(i.severity == "error" and i.row is None for i in self.issues)

    def as_json(self) -> dict[str, Any]:
        fmt = asdict(self.format)
        return {
            "format": {
                k: fmt[k] for k in ("container", "encoding", "delimiter", "sheet", "header_row")
            },
            "columns": self.columns,
            "dropped_columns": self.dropped_columns,
            "rows": self.rows,
            "valid_rows": self.valid_rows,
            "issues": [{k: v for k, v in i.as_dict().items() if k != "value"} for i in self.issues],
        }


def check_file(
    data: bytes, name: str, school: SchoolParams, *, language: Language = "nl"
) -> CheckResult:
    """Ingest ``data``; the validation step adds its issues here once it exists."""
    read = ingest(data, name, language=language)
    return CheckResult(read.format, read.columns, read.dropped_columns, read.table, read.issues)


def render_check(result: CheckResult, name: str, language: Language = "nl") -> str:
    """A short human summary of a check, in the school's language."""
    nl = language == "nl"
    lines = []
    if result.rejected:
        lines.append(f"{name}: {'GEWEIGERD' if nl else 'REJECTED'}")
    else:
        fmt = result.format
        how = ", ".join(str(v) for v in (fmt.container, fmt.encoding, fmt.sheet) if v)
        lines.append(
            f"{name} ({how}): {result.rows} {'rijen' if nl else 'rows'}, "
            f"{result.valid_rows} {'bruikbaar' if nl else 'usable'}"
        )
    for issue in result.issues:
        lines.append(f"  [{issue.severity}] {issue.code}: {issue.message}")
    return "\n".join(lines)
