"""Library staff: contacts of schools, upload rights, the inbox, downloads and imports, and
settling a run's ambiguous matches by hand.

Every page needs ``manage_student_files`` (granted with ``leerlingimport customer grant-staff``).
Downloads and imports started are logged with who and when.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.wrappers import Response

from leerlingimport.customers import NewCustomer, add_customer, grant_upload, reset_password
from leerlingimport.db import reading, writing
from leerlingimport.errors import LeerlingimportError
from leerlingimport.portal import jobs, records
from leerlingimport.portal.access import current_user, engine, now, record, staff_required
from leerlingimport.portal.forms import (
    ActionForm,
    BranchForm,
    CustomerForm,
    LinkForm,
    SearchForm,
    options,
)
from leerlingimport.portal.sessions import end_sessions_of
from leerlingimport.reports import run_report
from leerlingimport.settings import Settings
from leerlingimport.settling import link_row

staff = Blueprint("staff", __name__, url_prefix="/medewerker")
INBOX_DAYS = 30
# What a run leaves for people (reports, the school's printable list), not its internal tables.
RUN_FILE_SUFFIXES = (".xlsx", ".ods", ".csv", ".pdf", ".html", ".txt")


def _settings() -> Settings:
    found: Settings = current_app.config["SETTINGS"]
    return found


def _otp_valid() -> dt.timedelta:
    return dt.timedelta(hours=_settings().otp_valid_hours)


def _me() -> int:
    user = current_user()
    assert user is not None
    return user.id


@staff.route("/klanten")
@staff_required
def customers() -> str:
    form = SearchForm(request.args)
    found = None
    if request.args and form.validate():
        with reading(engine()) as conn:
            found = records.find_customers(conn, str(form.q.data))
    return render_template("customers.html", form=form, found=found)


@staff.route("/klanten/nieuw", methods=["GET", "POST"])
@staff_required
def new_customer() -> str | Response:
    form = CustomerForm()
    with reading(engine()) as conn:
        form.school.choices = options([("", "geen"), *records.schools(conn)])
        form.upload_branch.choices = options([("", "nog niet"), *records.branches(conn)])
    error = None
    if form.validate_on_submit():
        fields: dict[str, Any] = {
            k: v or None for k, v in form.data.items() if k in NewCustomer.__dataclass_fields__
        }
        fields["card"] = form.card.data
        fields["library_member"] = form.library_member.data
        try:
            with writing(engine()) as conn:
                params = current_app.config["PARAMS"]
                done = add_customer(
                    conn, NewCustomer(**fields), params.library.card_prefix, now(), _otp_valid()
                )
                if form.upload_branch.data:
                    records.check_may_upload(conn, done.customer_id)
                    grant_upload(conn, done.card_number, form.upload_branch.data, now())
                record(
                    "customer-created",
                    _me(),
                    conn=conn,
                    customer=done.customer_id,
                    card=done.card_number,
                )
        except LeerlingimportError as err:
            error = err.user_message
        else:
            return _slip(
                done.customer_id, done.card_number, done.one_time_password, done.otp_expires_at
            )
    return render_template("customer_new.html", form=form, error=error)


def _slip(customer_id: int, card: str, otp: str, until: dt.datetime) -> str:
    """The one-time password, shown once on a page that prints as an 80 mm slip."""
    with reading(engine()) as conn:
        details = records.customer_details(conn, customer_id)
    return render_template("slip.html", card=card, otp=otp, until=until, details=details)


@staff.route("/klanten/<int:customer_id>", methods=["GET", "POST"])
@staff_required
def customer(customer_id: int) -> str | Response:
    with reading(engine()) as conn:
        details = records.customer_details(conn, customer_id)
        choices = records.branches(conn)
    if details is None:
        abort(404)
    form = BranchForm()
    form.branch.choices = options(choices)
    error = None
    if form.validate_on_submit():
        try:
            with writing(engine()) as conn:
                records.check_may_upload(conn, customer_id)
                grant_upload(conn, details["card"], str(form.branch.data), now())
                record(
                    "upload-granted",
                    _me(),
                    conn=conn,
                    customer=customer_id,
                    branch=form.branch.data,
                )
        except LeerlingimportError as err:
            error = err.user_message
        else:
            flash(f"Mag nu leerlinggegevens uploaden voor vestiging {form.branch.data}.")
            return redirect(url_for("staff.customer", customer_id=customer_id), 303)
    return render_template("customer.html", d=details, form=form, action=ActionForm(), error=error)


@staff.route("/klanten/<int:customer_id>/<string:what>", methods=["POST"])
@staff_required
def customer_action(customer_id: int, what: str) -> str | Response:
    """``lidmaatschap`` (add a library subscription), ``wachtwoord`` (a new one-time password)
    or ``intrekken-<branch id>`` (revoke an upload right)."""
    with writing(engine()) as conn:
        details = records.customer_details(conn, customer_id)
        if details is None or details["card"] is None:
            abort(404)
        if what == "lidmaatschap":
            records.add_library_subscription(conn, customer_id, now().date())
            record("subscription-added", _me(), conn=conn, customer=customer_id)
            flash("Bibliotheeklidmaatschap toegevoegd.")
        elif what == "wachtwoord":
            otp = reset_password(conn, details["card"], now(), _otp_valid())
            record("password-reset", _me(), conn=conn, customer=customer_id)
        elif what.startswith("intrekken-") and what[10:].isdigit():
            records.revoke_upload(conn, customer_id, int(what[10:]))
            record(
                "upload-revoked", _me(), conn=conn, customer=customer_id, branch_id=int(what[10:])
            )
            flash("Uploadrecht ingetrokken.")
        else:
            abort(404)
    if what == "wachtwoord":
        end_sessions_of(engine(), customer_id)
        return _slip(customer_id, details["card"], otp, now() + _otp_valid())
    return redirect(url_for("staff.customer", customer_id=customer_id), 303)


@staff.route("/inbox")
@staff_required
def inbox() -> str:
    with reading(engine()) as conn:
        uploads = records.inbox(conn, now() - dt.timedelta(days=INBOX_DAYS))
    return render_template("inbox.html", uploads=uploads)


@staff.route("/inbox/<int:upload_id>")
@staff_required
def upload(upload_id: int, outcome: jobs.Outcome | None = None) -> str:
    with reading(engine()) as conn:
        details = records.upload_details(conn, upload_id)
    if details is None:
        abort(404)
    run_ids = [r.detail.get("run_id") for r in details["runs"] if r.detail.get("run_id")]
    files = {run_id: _run_files(run_id) for run_id in run_ids}
    return render_template(
        "upload_staff.html", d=details, action=ActionForm(), outcome=outcome, files=files
    )


def _valid_run_id(run_id: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_-]{1,40}", run_id) is not None


def _run_files(run_id: str) -> list[str]:
    """The files for people in a run's directory."""
    if not _valid_run_id(run_id):
        return []
    folder = _settings().data_dir / "runs" / run_id
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.suffix in RUN_FILE_SUFFIXES and p.is_file())


@staff.route("/runs/<run_id>", methods=["GET", "POST"])
@staff_required
def run(run_id: str) -> str | Response:
    """A run's files and its ambiguous rows ("Twijfelgevallen"), each candidate with a button
    that links the row to it, as ``leerlingimport customer link`` does."""
    if not _valid_run_id(run_id):
        abort(404)
    form = LinkForm()
    error = None
    if form.validate_on_submit():
        row, card = int(str(form.row.data)), str(form.card.data)
        try:
            with writing(engine()) as conn:
                done = link_row(conn, run_id, row, card, _settings().data_dir, now())
                record(
                    "row-linked",
                    _me(),
                    conn=conn,
                    run=run_id,
                    row=row,
                    customer=done.customer_id,
                    new=done.new,
                )
        except LeerlingimportError as err:
            error = err.user_message
        else:
            flash(
                f"Rij {row} wordt bij de volgende import van de school ({done.brin}) gekoppeld "
                f"aan de klant met pasnummer {card}."
                if done.new
                else f"Rij {row} was al gekoppeld aan de klant met pasnummer {card}; de "
                "volgende import van de school schrijft de leerling in."
            )
            return redirect(url_for("staff.run", run_id=run_id), 303)
    elif request.method == "POST":
        error = "Het formulier is niet compleet of verlopen; probeer het opnieuw."
    try:
        report = run_report(engine(), run_id, _settings().data_dir)
    except LeerlingimportError:
        abort(404)
    with reading(engine()) as conn:
        linked = records.linked_by_hand(conn, run_id)
    rows: dict[int, dict[str, Any]] = {}
    for r in report.ambiguous.to_dict("records"):
        found = rows.setdefault(int(r["row"]), {"row": int(r["row"]), "pupil": r["pupil"]})
        found.setdefault("candidates", []).append(r)
    return render_template(
        "run.html",
        report=report,
        ambiguous=list(rows.values()),
        linked=linked,
        files=_run_files(run_id),
        form=form,
        error=error,
    )


@staff.route("/runs/<run_id>/<name>")
@staff_required
def run_file(run_id: str, name: str) -> Response:
    """A run's report or printable list; every download is logged."""
    if name not in _run_files(run_id):
        abort(404)
    record("run-file-download", _me(), run=run_id, file=name)
    folder = _settings().data_dir / "runs" / run_id
    return send_file(folder / name, as_attachment=True, download_name=name)


@staff.route("/inbox/<int:upload_id>/download")
@staff_required
def download(upload_id: int) -> Response:
    with reading(engine()) as conn:
        details = records.upload_details(conn, upload_id)
    if details is None:
        abort(404)
    up = details["upload"]
    path = _settings().data_dir / "inbox" / up.stored_name
    if not path.is_file():
        abort(404)
    record("download", _me(), upload_id, school=details["brin"], sha256=up.sha256)
    return send_file(
        path,
        as_attachment=True,
        download_name=up.original_name,
        mimetype="application/octet-stream",
    )


@staff.route("/inbox/<int:upload_id>/<any(controle, import):mode>", methods=["POST"])
@staff_required
def start(upload_id: int, mode: str) -> str:
    """Start a dry run (``controle``) or the import; waits for it and shows its result."""
    with reading(engine()) as conn:
        details = records.upload_details(conn, upload_id)
    if details is None:
        abort(404)
    up, dry_run = details["upload"], mode == "controle"
    record("import-started", _me(), upload_id, school=details["brin"], dry_run=dry_run)
    outcome = jobs.run_import(
        _settings(),
        _settings().data_dir / "inbox" / up.stored_name,
        details["brin"],
        dry_run=dry_run,
    )
    summary: dict[str, Any] = {"dry_run": dry_run, "exit_status": outcome.status}
    if outcome.result is not None:
        summary |= {k: outcome.result.get(k) for k in ("run_id", "status", "counts", "archive")}
    else:
        summary["problem"] = outcome.problem
    with writing(engine()) as conn:
        record("import-finished", _me(), upload_id, conn=conn, **summary)
        if not dry_run and summary.get("status") == "applied":
            from sqlalchemy import update

            from leerlingimport.db.tables import Upload

            conn.execute(update(Upload).where(Upload.id == upload_id).values(status="imported"))
    return upload(upload_id, outcome)
