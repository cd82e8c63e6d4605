"""The portal's fixtures: a migrated database, the app in Flask's test client, real SMTP.

Client tests run on SQLite and PostgreSQL (the ``database_url`` fixture of tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from leerlingimport.customers import NewCustomer, add_customer, grant_staff, grant_upload
from leerlingimport.db import make_engine, upgrade, writing
from leerlingimport.library import register_params
from leerlingimport.params import Params
from leerlingimport.portal import create_app
from leerlingimport.portal.app import limiter
from leerlingimport.settings import Settings

REPO = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "paarse olifant op de fiets"


@dataclass(frozen=True)
class Person:
    customer_id: int
    card: str
    otp: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture(scope="session")
def smtp() -> Iterator[tuple[int, Inbox]]:
    """A real SMTP server on loopback; yields its port and the messages it got."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


@pytest.fixture
def smtp_env(smtp: tuple[int, Inbox], monkeypatch: pytest.MonkeyPatch) -> Inbox:
    port, inbox = smtp
    inbox.messages.clear()
    monkeypatch.setenv("LEERLINGIMPORT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LEERLINGIMPORT_SMTP_PORT", str(port))
    monkeypatch.setenv("LEERLINGIMPORT_SMTP_TLS", "none")
    monkeypatch.setenv("LEERLINGIMPORT_SMTP_SENDER", "portaal@bibliotheek.example.org")
    return inbox


@pytest.fixture
def settings(database_url: str, tmp_path: Path, params: Params) -> Iterator[Settings]:
    engine = make_engine(database_url)
    upgrade(engine)
    with writing(engine) as conn:
        register_params(conn, params)
    engine.dispose()
    yield Settings(database_url=database_url, params_dir=REPO / "params", data_dir=tmp_path / "var")


@pytest.fixture
def app(settings: Settings, params: Params) -> Iterator[Flask]:
    app = create_app(settings, params, {"LOGIN_MIN_SECONDS": 0.3})
    limiter.reset()
    yield app
    app.extensions["leerlingimport.engine"].dispose()


@pytest.fixture
def db(app: Flask) -> Engine:
    engine: Engine = app.extensions["leerlingimport.engine"]
    return engine


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def register(
    engine: Engine,
    params: Params,
    *,
    surname: str = "Jansen",
    branch: str | None = None,
    staff: bool = False,
    member: bool = True,
    otp_valid: dt.timedelta = dt.timedelta(hours=72),
) -> Person:
    """A customer made the way staff make one, with a one-time password."""
    now = dt.datetime.now(dt.UTC)
    with writing(engine) as conn:
        new = NewCustomer(surname=surname, first_name="Kim", library_member=member)
        done = add_customer(conn, new, params.library.card_prefix, now, otp_valid)
        if branch:
            grant_upload(conn, done.card_number, branch, now)
        if staff:
            grant_staff(conn, done.card_number, "manage_student_files")
    return Person(done.customer_id, done.card_number, done.one_time_password)


def token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the form on page ``url``."""
    page = client.get(url)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or re.search(
        r'name="csrf_token" value="([^"]+)"', page.text
    )
    assert found, f"no CSRF token on {url}: {page.status_code}"
    return found.group(1)


def login(client: FlaskClient, card: str, password: str) -> Any:
    data = {"csrf_token": token(client, "/inloggen"), "card": card, "password": password}
    return client.post("/inloggen", data=data)


def logged_in(client: FlaskClient, person: Person) -> FlaskClient:
    """Log in with the one-time password and choose a new password."""
    assert login(client, person.card, person.otp).status_code == 303
    data = {"csrf_token": token(client, "/wachtwoord"), "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert client.post("/wachtwoord", data=data).status_code == 303
    return client


def session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("__Host-sid")
    return None if cookie is None else cookie.value
