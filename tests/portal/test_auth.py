"""Login, forced password change, sessions, CSRF and headers (security.md AUTH, SESS, WEB)."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select, update

from leerlingimport.db import reading, writing
from leerlingimport.db.tables import Card, Credential, PortalEvent, WebSession
from leerlingimport.params import Params
from leerlingimport.portal.app import HEADERS

from .conftest import NEW_PASSWORD, logged_in, login, register, session_cookie, token

ROUTES = ["/", "/upload", "/medewerker/inbox", "/medewerker/klanten", "/medewerker/klanten/nieuw"]


def events(engine: Engine) -> list[tuple[str, object]]:
    with reading(engine) as conn:
        return [tuple(r) for r in conn.execute(select(PortalEvent.event, PortalEvent.detail))]


def test_every_page_has_the_security_headers_and_speaks_dutch(
    client: FlaskClient, db: Engine, params: Params
) -> None:
    pages = [client.get(url) for url in ["/inloggen", "/static/portal.css"]]
    pages[1].close()  # a file response: close it, as a server would
    person = register(db, params, branch="0101", staff=True)
    logged_in(client, person)
    pages += [client.get(url) for url in ["/bestaat-niet", *ROUTES]]
    for page in pages:
        for name, value in HEADERS.items():
            assert page.headers[name] == value, (page.request.path, name)
    assert '<html lang="nl">' in pages[0].text and "Pasnummer" in pages[0].text
    assert pages[2].status_code == 404 and "Deze pagina bestaat niet." in pages[2].text


def test_the_session_cookie_is_host_only_secure_httponly_and_lax(client: FlaskClient) -> None:
    cookie = client.get("/inloggen").headers["Set-Cookie"]
    assert cookie.startswith("__Host-sid=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain" not in cookie


def test_a_one_time_password_forces_a_new_password_on_every_route(
    client: FlaskClient, db: Engine, params: Params
) -> None:
    person = register(db, params, branch="0101", staff=True)
    assert login(client, person.card, person.otp).status_code == 303
    for url in ROUTES:
        page = client.get(url)
        assert page.status_code == 303 and page.location == "/wachtwoord", url
    upload = client.post("/upload", data={"csrf_token": token(client, "/wachtwoord")})
    assert upload.status_code == 303 and upload.location == "/wachtwoord"
    data = {"csrf_token": token(client, "/wachtwoord"), "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    done = client.post("/wachtwoord", data=data, follow_redirects=True)
    assert "Nieuw wachtwoord is ingesteld en actief." in done.text
    assert "Upload leerlingbestand" in done.text
    other = client.application.test_client()
    assert "Pasnummer of wachtwoord onjuist" in login(other, person.card, person.otp).text
    assert login(other, person.card, NEW_PASSWORD).status_code == 303


def test_an_easy_or_short_password_is_refused(
    client: FlaskClient, db: Engine, params: Params
) -> None:
    person = register(db, params)
    login(client, person.card, person.otp)
    for bad, said in [
        ("kort", "Kies een wachtwoord van"),
        ("bibliotheek2024", "te makkelijk"),
        (f"mijn pas {person.card}", "pasnummer"),
    ]:
        data = {"csrf_token": token(client, "/wachtwoord"), "new": bad, "repeat": bad}
        page = client.post("/wachtwoord", data=data)
        assert page.status_code == 200 and said in page.text


def test_every_failed_login_gets_one_answer_in_the_same_time(
    client: FlaskClient, db: Engine, params: Params
) -> None:
    wrong = register(db, params, surname="Fout")
    locked = register(db, params, surname="Slot")
    expired = register(db, params, surname="Oud", otp_valid=dt.timedelta(seconds=-1))
    nomember = register(db, params, surname="Geenlid", member=False)
    client.application.config["LOGIN_MIN_SECONDS"] = 0.8  # well above one argon2 verify here
    for _ in range(5):
        login(client, locked.card, "verkeerd wachtwoord")
    cases = {
        "unknown": ("20990000000000", "wat dan ook"),
        "wrong": (wrong.card, "verkeerd wachtwoord"),
        "locked": (locked.card, locked.otp),
        "expired": (expired.card, expired.otp),
        "no subscription": (nomember.card, nomember.otp),
    }
    bodies, times = {}, {}
    for case, (card, password) in cases.items():
        samples = []
        for _ in range(2):
            page_token = token(client, "/inloggen")
            started = time.monotonic()
            page = client.post(
                "/inloggen", data={"csrf_token": page_token, "card": card, "password": password}
            )
            samples.append(time.monotonic() - started)
            assert page.status_code == 200, case
            bodies[case] = re.sub(r'value="[^"]*"', "", page.text)  # the card typed, the token
        times[case] = statistics.median(samples)
    assert len(set(bodies.values())) == 1
    assert "Pasnummer of wachtwoord onjuist" in bodies["wrong"]
    assert max(times.values()) - min(times.values()) < 0.05, times
    logged = [e for e, _ in events(db)]
    assert "login-locked" in logged and "login-failed" in logged
    assert "login-refused-no-subscription" in logged


def test_five_failures_lock_the_account_for_a_while(
    client: FlaskClient, db: Engine, params: Params
) -> None:
    person = register(db, params)
    for _ in range(5):
        login(client, person.card, "verkeerd wachtwoord")
    assert login(client, person.card, person.otp).status_code == 200  # locked, even when right
    with writing(db) as conn:  # the lock is temporary: 15 minutes later it is over
        conn.execute(update(Credential).values(locked_until=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    assert login(client, person.card, "nog steeds fout").status_code == 200
    fresh = register(db, params, surname="Vers")
    assert login(client, fresh.card, fresh.otp).status_code == 303


def test_one_address_is_throttled_after_twenty_logins_a_minute(client: FlaskClient) -> None:
    client.application.config["LOGIN_MIN_SECONDS"] = 0
    statuses = [login(client, f"2099{n:010d}", "geen idee").status_code for n in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429
    assert "Te veel pogingen" in login(client, "2099", "x").text


def test_login_and_password_change_give_a_new_session_and_end_the_old_one(
    client: FlaskClient, db: Engine, params: Params
) -> None:
    person = register(db, params, branch="0101")
    client.get("/inloggen")
    before = session_cookie(client)
    login(client, person.card, person.otp)
    after_login = session_cookie(client)
    logged_in_again = client.application.test_client()
    logged_in_again.set_cookie("__Host-sid", str(before))
    assert before and after_login and before != after_login
    assert logged_in_again.get("/wachtwoord").location == "/inloggen"  # the old token is dead
    data = {"csrf_token": token(client, "/wachtwoord"), "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    client.post("/wachtwoord", data=data)
    after_change = session_cookie(client)
    assert after_change not in (before, after_login)
    replay = client.application.test_client()
    replay.set_cookie("__Host-sid", str(after_login))
    assert replay.get("/").location == "/inloggen"
    with reading(db) as conn:  # only hashes are stored
        stored = set(conn.scalars(select(WebSession.token_hash)))
    assert after_change not in stored and len(next(iter(stored))) == 64


def test_a_cookie_the_client_chose_is_never_adopted(
    client: FlaskClient, db: Engine, params: Params
) -> None:
    person = register(db, params)
    client.set_cookie("__Host-sid", "aanvaller-koos-deze-waarde")
    login(client, person.card, person.otp)
    assert session_cookie(client) != "aanvaller-koos-deze-waarde"


def test_logout_ends_the_session_on_the_server(
    client: FlaskClient, db: Engine, params: Params
) -> None:
    logged_in(client, register(db, params, branch="0101"))
    cookie = session_cookie(client)
    page = client.post("/uitloggen", data={"csrf_token": token(client, "/")})
    assert page.status_code == 303 and page.location == "/inloggen?uit=1"
    replay = client.application.test_client()
    replay.set_cookie("__Host-sid", str(cookie))
    assert replay.get("/upload").location == "/inloggen"
    assert "logout" in [e for e, _ in events(db)]


def test_posts_without_a_csrf_token_are_refused(
    client: FlaskClient, db: Engine, params: Params
) -> None:
    person = register(db, params, branch="0101")
    page = client.post("/inloggen", data={"card": person.card, "password": person.otp})
    assert page.status_code == 400 and "Formulier verlopen" in page.text
    logged_in(client, person)
    for url in ["/uitloggen", "/upload", "/wachtwoord"]:
        assert client.post(url, data={"csrf_token": "vals"}).status_code == 400, url
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
    page = client.post("/uitloggen", data={"csrf_token": token(client, "/")}, headers=headers)
    assert page.status_code == 403  # a valid token, but sent from another site
    assert client.get("/").status_code == 200  # still logged in


def test_idle_and_old_sessions_end(client: FlaskClient, db: Engine, params: Params) -> None:
    logged_in(client, register(db, params, branch="0101"))
    assert client.get("/").status_code == 200
    with writing(db) as conn:
        conn.execute(
            update(WebSession).values(seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
        )
    assert client.get("/").location == "/inloggen"


def test_blocking_a_card_ends_its_sessions_at_once(
    client: FlaskClient, db: Engine, params: Params
) -> None:
    person = register(db, params, branch="0101")
    logged_in(client, person)
    with writing(db) as conn:
        conn.execute(update(Card).where(Card.number == person.card).values(status="blocked"))
    assert client.get("/").location == "/inloggen"


def test_authentication_events_are_logged_without_secrets(
    client: FlaskClient, db: Engine, params: Params
) -> None:
    person = register(db, params)
    login(client, person.card, "een fout wachtwoord")
    logged_in(client, person)
    logged = events(db)
    assert [e for e, _ in logged] == ["login-failed", "login-otp", "password-changed"]
    dump = repr(logged)
    for secret in (person.otp, NEW_PASSWORD, "een fout wachtwoord"):
        assert secret not in dump


def test_an_unexpected_error_shows_a_reference_and_no_details(
    client: FlaskClient,
    db: Engine,
    params: Params,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from leerlingimport.portal import records

    def broken(*args: object) -> None:
        raise RuntimeError("SELECT geheim FROM leerlingen")

    monkeypatch.setattr(records, "inbox", broken)
    logged_in(client, register(db, params, staff=True))
    page = client.get("/medewerker/inbox")
    assert page.status_code == 500 and "Er ging iets mis" in page.text
    assert "geheim" not in page.text and "Traceback" not in page.text
    reference = re.search(r"Code: <strong>(\w+)</strong>", page.text)
    assert reference and reference.group(1) in caplog.text and "geheim" in caplog.text
