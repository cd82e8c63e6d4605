"""Login, the forced password change, logout and the start page (AUTH-02, -05, -06, -09)."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select
from werkzeug.wrappers import Response

from leerlingimport.credentials import authenticate, change_password
from leerlingimport.db import writing
from leerlingimport.db.tables import Card, Credential
from leerlingimport.portal.access import (
    current_user,
    engine,
    may_log_in,
    now,
    record,
    sign_in,
)
from leerlingimport.portal.app import limiter
from leerlingimport.portal.forms import LoginForm, PasswordForm
from leerlingimport.portal.sessions import end_sessions_of

auth = Blueprint("auth", __name__)
FAILED = "Pasnummer of wachtwoord onjuist, of het account is tijdelijk geblokkeerd."


@auth.route("/")
def home() -> str:
    return render_template("home.html")


@auth.route("/inloggen", methods=["GET", "POST"])
@limiter.limit("20/minute;100/hour", methods=["POST"])
def login() -> str | Response:
    form = LoginForm()
    if current_user() is not None and request.method == "GET":
        return redirect(url_for("auth.home"), 303)
    error = None
    if form.validate_on_submit():
        started = time.monotonic()
        customer_id = _check_login(str(form.card.data), str(form.password.data))
        if customer_id is not None:
            sign_in(customer_id)
            return redirect(url_for("auth.home"), 303)  # the forced change takes over from here
        # Unknown card, wrong or expired password, locked or without subscription: one answer,
        # after one fixed time (AUTH-05).
        time.sleep(max(0.0, current_app.config["LOGIN_MIN_SECONDS"] - time.monotonic() + started))
        error = FAILED
    return render_template("login.html", form=form, error=error, out="uit" in request.args)


def _check_login(card: str, password: str) -> int | None:
    """The customer logged in, or None; every outcome is logged without the password."""
    card = card.strip()[:30]
    with writing(engine()) as conn:
        result = authenticate(conn, card, password, now(), current_app.config["OTP_KEY"])
        if result.ok and result.customer_id is not None:
            if may_log_in(conn, result.customer_id):
                event = "login-otp" if result.must_change else "login"
                record(event, result.customer_id, conn=conn, card=card)
                return result.customer_id
            record("login-refused-no-subscription", result.customer_id, conn=conn, card=card)
            return None
        locked = conn.scalar(
            select(Credential.customer_id)
            .join(Card, Card.customer_id == Credential.customer_id)
            .where(Card.number == card, Credential.locked_until > now())
        )
        record("login-locked" if locked else "login-failed", locked, conn=conn, card=card)
    return None


@auth.route("/wachtwoord", methods=["GET", "POST"])
def password() -> str | Response:
    user = current_user()
    assert user is not None
    form = PasswordForm(user.card)
    error = None
    if form.validate_on_submit():
        if not user.must_change and not _current_password_ok(user.card, form.current.data):
            error = "Uw huidige wachtwoord klopt niet."
        else:
            with writing(engine()) as conn:
                change_password(conn, user.id, str(form.new.data), now())
                record("password-changed", user.id, conn=conn)
            end_sessions_of(engine(), user.id)  # other browsers are logged out (SESS-04)
            sign_in(user.id)  # and this one gets a new token (SESS-01)
            flash("Nieuw wachtwoord is ingesteld en actief.")
            return redirect(url_for("auth.home"), 303)
    return render_template("password.html", form=form, error=error)


def _current_password_ok(card: str, current: str | None) -> bool:
    with writing(engine()) as conn:
        return authenticate(conn, card, current or "", now(), current_app.config["OTP_KEY"]).ok


@auth.route("/uitloggen", methods=["POST"])
def logout() -> Response:
    user = current_user()  # CSRFProtect has checked the token of this POST
    if user is not None:
        record("logout", user.id)
    session.end()  # type: ignore[attr-defined]
    return redirect(url_for("auth.login", uit=1), 303)
