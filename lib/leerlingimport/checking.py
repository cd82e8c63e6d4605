"""``check``: what the school, the library and the portal see about a file before any import."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from leerlingimport.intake import Ingested, ingest
from leerlingimport.issues import Issue, Language, in_order, plural, render_issue
from leerlingimport.params import SchoolParams
from leerlingimport.validation import Validated, validate


@dataclass(frozen=True)
class CheckResult:
    """A file read and validated: how it was read, and what was found."""

    read: Ingested
    checked: Validated

    @property
    def issues(self) -> list[Issue]:
        return self.checked.issues

    @property
    def rejected(self) -> bool:
        return self.checked.rejected

    @property
    def rows(self) -> int:
        return len(self.checked.table)

    @property
    def valid_rows(self) -> int:
        return len(self.checked.valid)

    def as_json(self) -> dict[str, Any]:
        """The object ``check --json`` prints (DESIGN §7.1)."""
        fmt = asdict(self.read.format)
        keys = ("container", "encoding", "delimiter", "sheet", "header_row")
        shown = {k: fmt[k] for k in keys}
        if fmt["member"]:  # a ZIP is the container; the rest describes the file read from it
            shown["container"] = "zip"
        return {
            "format": shown,
            "columns": self.read.columns,
            "dropped_columns": self.read.dropped_columns,
            "rows": self.rows,
            "valid_rows": self.valid_rows,
            "issues": [{k: v for k, v in i.as_dict().items() if k != "value"} for i in self.issues],
        }


def check_file(
    data: bytes,
    name: str,
    school: SchoolParams,
    *,
    language: Language = "nl",
    today: dt.date | None = None,
) -> CheckResult:
    """Ingest and validate ``data``; writes nothing."""
    read = ingest(data, name, language=language)
    return CheckResult(read, validate(read, school, language=language, today=today))


def render_check(result: CheckResult, name: str, language: Language = "nl") -> str:
    """A short human summary of a check, in the school's language."""
    nl = language == "nl"
    fmt = result.read.format
    how = ", ".join(str(v) for v in (fmt.member, fmt.container, fmt.encoding, fmt.sheet) if v)
    if result.rejected:
        head = f"{name}: {'GEWEIGERD' if nl else 'REJECTED'}"
    else:
        rows = plural(result.rows, "rij", "rijen") if nl else plural(result.rows, "row", "rows")
        usable = "bruikbaar" if nl else "usable"
        head = f"{name} ({how}): {rows}, {result.valid_rows} {usable}"
    lines = [head]
    lines += [f"  {render_issue(i, language)}" for i in in_order(result.issues)]
    return "\n".join(lines)
