"""The upload inbox: what schools sent and nobody imported yet, and what to do with it.

Every received upload gets a dry run first (Wise's "Controle"); its planned counts go to the
library when a mailer is configured; it is applied only where the school's ``auto_apply`` is
on and the dry run was neither held nor rejected. Of a school's uploads only the newest is
imported: an older one was replaced by the school (a corrected file) and is marked checked.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update

from leerlingimport.dates import local_date, school_year
from leerlingimport.db import reading, writing
from leerlingimport.db.tables import School, Upload
from leerlingimport.errors import InputFileError
from leerlingimport.pipeline import ImportResult
from leerlingimport.reporting import STATUS_NL, count_labels
from leerlingimport.workbook.book import Workbook
from leerlingimport.workbook.runner import run_workbook

log = logging.getLogger(__name__)
Notify = Callable[[str, str], None]  # (subject, body) to the library's notify_email


@dataclass(frozen=True)
class Received:
    upload_id: int
    school: str  # BRIN
    path: Path
    original_name: str
    received_at: dt.datetime


@dataclass(frozen=True)
class Handled:
    upload_id: int
    school: str
    checked: ImportResult
    applied: ImportResult | None = None

    @property
    def outcome(self) -> str:
        return (self.applied or self.checked).status


def inbox_path(data_dir: Path, stored_name: str) -> Path:
    """Where the portal keeps an upload: ``<data dir>/inbox/<server-made name>``."""
    return data_dir / "inbox" / stored_name


def waiting(book: Workbook) -> dict[str, list[Received]]:
    """The received uploads per school (BRIN), oldest first; schools in BRIN order."""
    with reading(book.engine) as conn:
        rows = conn.execute(
            select(
                Upload.id, School.brin, Upload.stored_name, Upload.original_name, Upload.received_at
            )
            .join(School, School.id == Upload.school_id)
            .where(Upload.status == "received")
            .order_by(School.brin, Upload.received_at, Upload.id)
        ).all()
    found: dict[str, list[Received]] = {}
    for pk, brin, stored, original, at in rows:
        item = Received(pk, brin, inbox_path(book.data_dir, stored), original, at)
        found.setdefault(brin, []).append(item)
    return found


def handle_school(book: Workbook, uploads: list[Received], notify: Notify | None) -> Handled:
    """A school's newest upload: dry run, mail, and apply when the school allows it. An upload
    that cannot be imported at all (its file gone, its school no longer in params) is marked
    rejected and the library told, instead of failing again at every round."""
    *older, newest = uploads
    for item in older:
        _mark(book, item.upload_id, "checked")
        log.info("upload %s van %s: vervangen door een nieuwere", item.upload_id, item.school)
    problem = _unusable(book, newest)
    if problem:
        _mark(book, newest.upload_id, "rejected")
        if notify is not None:
            notify(f"Leerlingbestand {newest.school}: niet te importeren", problem)
        raise InputFileError(problem)
    who = "inbox"
    checked = run_workbook(
        book, newest.path, newest.school, dry_run=True, started_by=who, upload_id=newest.upload_id
    )
    if notify is not None:
        notify(*_message(newest, checked))
    applied = None
    if book.params.school(newest.school).auto_apply and checked.status == "planned":
        applied = run_workbook(
            book, newest.path, newest.school, started_by=who, upload_id=newest.upload_id
        )
    final = applied or checked
    status = {"rejected": "rejected", "failed": "rejected", "applied": "imported"}.get(
        final.status, "checked"
    )
    _mark(book, newest.upload_id, status)
    return Handled(newest.upload_id, newest.school, checked, applied)


def _unusable(book: Workbook, item: Received) -> str | None:
    where = f"Upload {item.upload_id} van school {item.school} ({item.original_name})"
    if item.school not in book.params.schools:
        return (
            f"{where}: de school staat niet (meer) in params/schools; voeg haar toe en vraag "
            "de school het bestand opnieuw te sturen."
        )
    if not item.path.is_file():
        return (
            f"{where}: het bestand {item.path} ontbreekt in de inbox; vraag de school het "
            "bestand opnieuw te sturen."
        )
    return None


def schools_without_upload(book: Workbook, now: dt.datetime) -> list[str]:
    """The schools in params that sent nothing (usable) in the school year of ``now``."""
    year = school_year(local_date(now, book.params.library.timezone))
    since = dt.datetime(year, 8, 1, tzinfo=dt.UTC)
    with reading(book.engine) as conn:
        sent = set(
            conn.scalars(
                select(School.brin)
                .join(Upload, Upload.school_id == School.id)
                .where(Upload.received_at >= since, Upload.status != "rejected")
            )
        )
    return sorted(set(book.params.schools) - sent)


def _message(item: Received, checked: ImportResult) -> tuple[str, str]:
    """The mail to the library: the school, the file, the planned counts; never pupil data."""
    status = STATUS_NL.get(checked.status, checked.status)
    labels = count_labels(checked.status)
    severities = Counter(i.severity for i in checked.issues)
    lines = [
        f"Upload {item.upload_id} van school {item.school} ({item.original_name}), ontvangen "
        f"{item.received_at:%d-%m-%Y %H:%M} UTC, is gecontroleerd (proefdraai): {status}.",
        "",
        *(f"  {labels[k]:<28}{v:>6}" for k, v in checked.counts.items()),
        "",
        f"Fouten: {severities['error']}, waarschuwingen: {severities['warning']}. De details, "
        f"zonder namen: leerlingimport report {checked.run_id}",
    ]
    if checked.error:
        lines.insert(2, f"Fout: {checked.error}\n")
    return f"Leerlingbestand {item.school}: {status}", "\n".join(lines)


def _mark(book: Workbook, upload_id: int, status: str) -> None:
    with writing(book.engine) as conn:
        conn.execute(update(Upload).where(Upload.id == upload_id).values(status=status))
