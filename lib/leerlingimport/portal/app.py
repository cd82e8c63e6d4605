"""The Flask application: sessions, CSRF, rate limits, security headers, Dutch error pages."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, Response, abort, g, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import Engine
from werkzeug.exceptions import HTTPException

from leerlingimport.credentials import authenticate, otp_key
from leerlingimport.db import make_engine, reading
from leerlingimport.params import Params, load_params
from leerlingimport.portal.access import load_user, log
from leerlingimport.portal.sessions import SqlSessionInterface
from leerlingimport.settings import Settings

MAX_UPLOAD_BYTES = 10 * 2**20  # UPL-03
limiter = Limiter(get_remote_address, storage_uri="memory://", headers_enabled=False)

CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Where a customer who must still choose a password may go (AUTH-02).
OPEN_WHILE_CHANGING = {"auth.password", "auth.logout", "static"}
OPEN_TO_ALL = {"auth.login", "static"}

ERRORS = {
    400: ("Verzoek niet begrepen", "Het formulier was niet compleet. Probeer het opnieuw."),
    403: ("Geen toegang", "U heeft geen toegang tot deze pagina."),
    404: ("Niet gevonden", "Deze pagina bestaat niet."),
    405: ("Niet toegestaan", "Deze pagina kan zo niet worden gebruikt."),
    413: (
        "Bestand te groot",
        f"Het bestand is groter dan {MAX_UPLOAD_BYTES // 2**20} MB. Stuur een kleiner bestand, "
        "bijvoorbeeld alleen de leerlingen van deze school.",
    ),
    429: (
        "Te veel pogingen",
        "U heeft het te vaak geprobeerd. Wacht een paar minuten en probeer het dan opnieuw.",
    ),
    500: (
        "Er ging iets mis",
        "Er ging aan onze kant iets mis. Probeer het later opnieuw; blijft het misgaan, neem "
        "dan contact op met de bibliotheek en noem de code hieronder.",
    ),
}


def create_app(
    settings: Settings | None = None,
    params: Params | None = None,
    config: dict[str, Any] | None = None,
) -> Flask:
    """The portal for ``settings`` (default: the environment's) and the library's params."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(),
        SESSION_COOKIE_NAME="__Host-sid",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        MAX_FORM_MEMORY_SIZE=100_000,
        MAX_FORM_PARTS=100,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        LOGIN_MIN_SECONDS=1.0,  # every failed login takes this long: > an argon2 verify (AUTH-05)
        UPLOADS_PER_DAY=20,  # per school (UPL-08)
        SETTINGS=settings,
        PARAMS=params or load_params(settings.params_dir),
        OTP_KEY=otp_key(settings.data_dir),  # the key the imports of this data dir hash with
    )
    app.config.update(config or {})
    engine = make_engine(settings.database_url)
    app.extensions["leerlingimport.engine"] = engine
    app.session_interface = SqlSessionInterface(engine)
    _warm_up(engine, app.config["OTP_KEY"])
    CSRFProtect(app)
    limiter.init_app(app)

    from leerlingimport.portal.auth import auth
    from leerlingimport.portal.staff import staff
    from leerlingimport.portal.upload import upload

    for blueprint in (auth, upload, staff):
        app.register_blueprint(blueprint)
    app.before_request(_refuse_cross_site)
    app.before_request(_load_user)
    app.after_request(_headers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    app.context_processor(lambda: {"user": g.get("user"), "library": app.config["PARAMS"].library})
    zone = ZoneInfo(app.config["PARAMS"].library.timezone)
    app.add_template_filter(lambda moment: f"{moment.astimezone(zone):%d-%m-%Y %H:%M}", "local")
    return app


def _warm_up(engine: Engine, key: bytes) -> None:
    """Log in once with no card: the dummy hash that unknown cards are checked against is made
    now, so the first unknown card after a start takes no longer than the next (AUTH-05)."""
    with reading(engine) as conn:
        authenticate(conn, "", secrets.token_hex(8), dt.datetime.now(dt.UTC), key)


def _secret_key() -> str:
    import os

    return os.environ.get("LEERLINGIMPORT_PORTAL_SECRET") or secrets.token_hex(32)


def _refuse_cross_site() -> None:
    """A form sent from another site is refused even before its CSRF token is checked."""
    if request.method == "POST" and request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403)


def _load_user() -> Response | None:
    customer_id = session.get("customer_id")
    g.user = None
    if customer_id is not None:
        from leerlingimport.portal.access import engine

        with reading(engine()) as conn:
            g.user = load_user(conn, int(customer_id))
        if g.user is None:  # card blocked or subscription ended: the session is over (AUTH-08)
            session.end()  # type: ignore[attr-defined]
    if request.endpoint in OPEN_TO_ALL:
        return None
    if g.user is None:
        return redirect(url_for("auth.login"), 303)  # type: ignore[return-value]
    if g.user.must_change and request.endpoint not in OPEN_WHILE_CHANGING:
        return redirect(url_for("auth.password"), 303)  # type: ignore[return-value]
    return None


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers[name] = value
    return response


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    text = (
        "Het formulier is verlopen of kwam niet van deze website. Ga terug, laad de pagina "
        "opnieuw en probeer het nog eens."
    )
    return render_template("error.html", title="Formulier verlopen", text=text), 400


def _http_error(error: HTTPException) -> Any:
    code = error.code or 500
    title, text = ERRORS.get(code, (error.name, ""))
    return render_template("error.html", title=title, text=text), code


def _unexpected(error: Exception) -> tuple[str, int]:
    if isinstance(error, HTTPException):
        return _http_error(error)  # type: ignore[no-any-return]
    reference = secrets.token_hex(4)
    log.exception("unexpected error, reference %s", reference)
    title, text = ERRORS[500]
    return render_template("error.html", title=title, text=text, reference=reference), 500
