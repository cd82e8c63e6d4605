"""What people read about imports: run summaries and run lists (the school's printable list is
leerlingimport.printable; the run report is leerlingimport.report)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select

from leerlingimport.db import reading
from leerlingimport.db.tables import ImportRun, School
from leerlingimport.issues import Language, in_order, render_issue

if TYPE_CHECKING:
    from leerlingimport.pipeline import ImportResult


def render_import(result: ImportResult, language: Language = "nl") -> str:
    """What happened in an import, for the person at the terminal."""
    nl = language == "nl"
    labels = count_labels(result.status) if nl else LABELS_EN
    status = (STATUS_NL if nl else STATUS_EN).get(result.status, result.status)
    trial = (" (proefdraai)" if nl else " (dry run)") if result.dry_run else ""
    lines = [f"{result.school} {result.run_id}: {status}{trial}"]
    lines += [f"  {labels[k]:<28}{v:>6}" for k, v in result.counts.items()]
    if result.error:
        lines.append(f"  {'fout' if nl else 'error'}: {result.error}")
    shown = [i for i in in_order(result.issues) if i.severity != "info"]
    for issue in shown[:20]:
        lines.append(f"  {render_issue(issue, language)}")
    if len(shown) > 20:
        lines.append(f"  ... {'en nog' if nl else 'and'} {len(shown) - 20}")
    if result.status in ("applied", "planned", "held"):
        lines.append(
            f"  {'Wie en wat' if nl else 'Who and what'}: leerlingimport report {result.run_id}"
        )
    if result.passwords_file:
        where = result.passwords_file
        lines.append(
            f"  {'Pasnummers en wachtwoorden om te printen' if nl else 'Printable cards'}: {where}"
        )
    if result.archive:
        label = ("Notebooks" if result.dry_run else "Archief") if nl else "Notebooks and archive"
        lines.append(f"  {label}: {result.archive}")
    return "\n".join(lines)


LABELS_NL = {
    "rows": "rijen in het bestand",
    "rejected": "niet verwerkt",
    "new": "nieuw op school",
    "created": "  waarvan nieuwe klant",
    "transferred": "  waarvan overgestapt",
    "reactivated": "teruggekomen",
    "updated": "bijgewerkt",
    "unchanged": "ongewijzigd",
    "deregistered": "uitgeschreven",
}


LABELS_EN = {
    "rows": "rows in the file",
    "rejected": "not processed",
    "new": "new at the school",
    "created": "  of which new customers",
    "transferred": "  of which transferred",
    "reactivated": "returned",
    "updated": "updated",
    "unchanged": "unchanged",
    "deregistered": "deregistered (or held back)",
}
STATUS_EN = {
    "applied": "applied",
    "planned": "checked (nothing changed)",
    "held": "HELD: nobody deregistered or transferred",
    "rejected": "REJECTED",
    "failed": "FAILED (see the error)",
}


def count_labels(status: str) -> dict[str, str]:
    """Dutch labels for the counts; a held run's leavers were held back, not deregistered."""
    if status == "held":
        return {**LABELS_NL, "deregistered": "aangehouden (niet uitgeschreven)"}
    return LABELS_NL


STATUS_NL = {
    "applied": "uitgevoerd",
    "planned": "gecontroleerd, niets veranderd",
    "held": "AANGEHOUDEN: niemand uitgeschreven of overgeschreven",
    "rejected": "GEWEIGERD",
    "failed": "MISLUKT (zie de fout)",
}


def list_runs(engine: Engine, brin: str | None) -> list[dict[str, Any]]:
    """Import runs, newest first, as plain values."""
    stmt = (
        select(
            ImportRun.run_id,
            School.brin,
            ImportRun.started_at,
            ImportRun.finished_at,
            ImportRun.dry_run,
            ImportRun.status,
            ImportRun.counts,
            ImportRun.input_sha256,
            ImportRun.error,
            ImportRun.archive_path.label("archive"),
        )
        .join(School, School.id == ImportRun.school_id)
        .order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
    )
    if brin:
        stmt = stmt.where(School.brin == brin.upper())
    with reading(engine) as conn:
        return [
            {
                **row._asdict(),
                "started_at": row.started_at.isoformat(),
                "finished_at": row.finished_at.isoformat() if row.finished_at else None,
            }
            for row in conn.execute(stmt)
        ]


RUN_STATUS_NL = {
    "running": "bezig",
    "applied": "uitgevoerd",
    "planned": "gecontroleerd",
    "held": "aangehouden",
    "rejected": "geweigerd",
    "failed": "mislukt",
}


def render_runs(runs: list[dict[str, Any]], timezone: str = "Europe/Amsterdam") -> str:
    """The runs as lines for a person: local time, Dutch status and counts."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    if not runs:
        return "Nog geen imports."
    lines = [f"{'gestart':<16}  {'school':<4}  {'status':<21}  {'import':<28}  resultaat"]
    for run in runs:
        counts = run["counts"] or {}
        labels = count_labels(run["status"])
        summary = (
            ""
            if run["status"] == "failed"  # a failed or released run applied what it says not
            else ", ".join(
                f"{labels[k].strip()} {counts[k]}"
                for k in ("new", "updated", "deregistered")
                if counts.get(k)
            )
        )
        when = dt.datetime.fromisoformat(run["started_at"]).astimezone(ZoneInfo(timezone))
        status = RUN_STATUS_NL.get(run["status"], run["status"])
        status += " (proef)" if run["dry_run"] else ""
        lines.append(
            f"{when:%d-%m-%Y %H:%M}  {run['brin']:<6}  {status:<21}  {run['run_id']:<28}  "
            f"{summary}" + (f"  ({run['error']})" if run.get("error") else "")
        )
        if run.get("archive") and "/archive/" in run["archive"]:
            lines.append(f"{'':<18}archief: {run['archive']}")
    return "\n".join(lines)
