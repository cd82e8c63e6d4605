"""The school's upload: the file is checked at once, kept when usable, and the library mailed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import func, insert, select, update

from leerlingimport.db import reading, writing
from leerlingimport.db.tables import Upload
from leerlingimport.mail import mailer_from_env
from leerlingimport.portal import inbox, jobs
from leerlingimport.portal.access import UploadSchool, User, current_user, engine, now, record
from leerlingimport.portal.app import limiter
from leerlingimport.portal.forms import UploadForm, options
from leerlingimport.settings import Settings

upload = Blueprint("upload", __name__)


@upload.route("/upload", methods=["GET", "POST"])
@limiter.limit("30/hour", methods=["POST"])
def form() -> str:
    user = current_user()
    assert user is not None
    if not user.schools:
        abort(403)  # no upload permission: no page, whatever the URL
    form = UploadForm()
    form.school.choices = options((s.school_id, f"{s.name} ({s.brin})") for s in user.schools)
    if not form.validate_on_submit():
        return render_template("upload.html", form=form)
    school = _chosen_school(user, str(form.school.data or ""))
    outcome, problem = _receive_and_check(user, school, form.file.data)
    return render_template(
        "upload.html", form=form, school=school, outcome=outcome, problem=problem
    )


def _chosen_school(user: User, chosen: str) -> UploadSchool:
    """The school the form names, which must be one the user may upload for (UPL-01)."""
    if not chosen.strip() and len(user.schools) == 1:
        return user.schools[0]
    for school in user.schools:
        if str(school.school_id) == chosen.strip():
            return school
    abort(403)  # a school outside the user's rights: a tampered form


def _receive_and_check(
    user: User, school: UploadSchool, file: Any
) -> tuple[jobs.Outcome | None, str | None]:
    if _uploads_today(school.school_id) >= current_app.config["UPLOADS_PER_DAY"]:
        return None, (
            "Voor deze school zijn vandaag al veel bestanden gestuurd. Probeer het morgen "
            "opnieuw of neem contact op met de bibliotheek."
        )
    settings: Settings = current_app.config["SETTINGS"]
    folder = settings.data_dir / "inbox"
    name = inbox.clean_name(file.filename)
    try:
        received = inbox.receive(file.stream, file.filename or "", folder)
    except inbox.Refused as refused:
        record("upload-refused", user.id, school=school.brin, file=name, reason=str(refused)[:200])
        return None, str(refused)
    try:
        outcome = jobs.run_check(settings, received.path, school.brin)
        usable = outcome.result is not None and outcome.status == 0
        stored = inbox.keep(received, folder) if usable else received.path.name
    finally:
        received.path.unlink(missing_ok=True)  # a refused file is never kept
    upload_id = _register(user, school, name, stored, received, outcome, usable)
    if usable:
        _notify(user, school, name, upload_id, outcome.result or {})
    return outcome, None if outcome.result is not None else outcome.problem


def _uploads_today(school_id: int) -> int:
    with reading(engine()) as conn:
        return int(
            conn.scalar(
                select(func.count(Upload.id)).where(
                    Upload.school_id == school_id,
                    Upload.received_at > now() - dt.timedelta(days=1),
                )
            )
            or 0
        )


def _register(
    user: User,
    school: UploadSchool,
    name: str,
    stored: str,
    received: inbox.Received,
    outcome: jobs.Outcome,
    usable: bool,
) -> int:
    with writing(engine()) as conn:
        upload_id = int(
            conn.execute(
                insert(Upload)
                .values(
                    school_id=school.school_id,
                    branch_id=school.branch_id,
                    uploader_id=user.id,
                    original_name=name,
                    stored_name=stored,
                    sha256=received.sha256,
                    size=received.size,
                    received_at=now(),
                    status="received" if usable else "rejected",
                    check_result=outcome.result,
                )
                .returning(Upload.id)
            ).scalar_one()
        )
        rows = (outcome.result or {}).get("rows")
        event = "upload" if usable else "upload-rejected"
        record(event, user.id, upload_id, conn=conn, school=school.brin, rows=rows)
    return upload_id


def _notify(
    user: User, school: UploadSchool, name: str, upload_id: int, result: dict[str, Any]
) -> None:
    """Mail the library: who sent what, how many rows and which problems; never pupil data."""
    mailer = mailer_from_env()
    params = current_app.config["PARAMS"]
    if mailer is None:
        record("mail-skipped", user.id, upload_id, reason="LEERLINGIMPORT_SMTP_HOST is niet gezet")
        return
    when = now().astimezone(ZoneInfo(params.library.timezone))
    subject = f"Leerlingbestand ontvangen: {school.name} ({school.brin})"
    try:
        mailer.send(
            params.library.notify_email, subject, mail_body(user, school, name, when, result)
        )
    except OSError as err:  # smtplib's errors are OSErrors too
        record("mail-failed", user.id, upload_id, reason=type(err).__name__)
        return
    with writing(engine()) as conn:
        conn.execute(update(Upload).where(Upload.id == upload_id).values(notified_at=now()))
        record("mail-sent", user.id, upload_id, conn=conn, to=params.library.notify_email)


def mail_body(
    user: User, school: UploadSchool, name: str, when: dt.datetime, result: dict[str, Any]
) -> str:
    """The library's notice: school, uploader, time, file name, rows and problems by code."""
    by_code: dict[tuple[str, str], list[str]] = defaultdict(list)
    for issue in result.get("issues", []):
        row = issue.get("row")
        by_code[(issue["severity"], issue["code"])].append(str(row) if row else "bestand")
    lines = [
        f"School: {school.name} ({school.brin}), vestiging {school.branch}",
        f"Gestuurd door: {user.name}, pasnummer {user.card}",
        f"Ontvangen: {when:%d-%m-%Y %H:%M}",
        f"Bestand: {name}",
        f"Rijen: {result.get('rows', 0)}, bruikbaar: {result.get('valid_rows', 0)}",
        f"Problemen: {sum(len(v) for v in by_code.values()) or 'geen'}",
        *(
            f"- {sev} {code}: rij {', '.join(rows[:20])}"
            for (sev, code), rows in sorted(by_code.items())
        ),
        "",
        "Het bestand staat in de inbox van het leerlingenportaal.",
    ]
    return "\n".join(lines)
