"""Server-side sessions in the ``web_sessions`` table (SESS-01 to SESS-04).

The cookie holds 32 random bytes; the table holds only their SHA-256, so a database dump gives
no usable cookie. An unknown, expired or idle token opens a new, empty session: a token the
client chose is never adopted (no session fixation). ``rotate()`` (at login and at password
change) deletes the old row and issues a new token; ``end()`` (logout) deletes the row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from flask import Flask, Request, Response, request
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import Engine, delete, insert, or_, select, update
from werkzeug.datastructures import CallbackDict

from leerlingimport.db import reading, writing
from leerlingimport.db.tables import WebSession

IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=8)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SqlSession(CallbackDict[str, Any], SessionMixin):
    """The session's data, its token (None until saved) and what to do with it at the end."""

    def __init__(self, data: dict[str, Any] | None = None, token: str | None = None) -> None:
        def changed(_: CallbackDict[str, Any]) -> None:
            self.modified = True

        super().__init__(data or {}, changed)
        self.token = token
        self.modified = False
        self.rotated = False
        self.ended = False
        self.created_at = _now()

    def rotate(self) -> None:
        """Give the session a new token at the end of this request; the old one stops working."""
        self.rotated = True
        self.modified = True

    def end(self) -> None:
        """Delete the session on the server and its cookie in the browser (logout)."""
        self.clear()
        self.ended = True


class SqlSessionInterface(SessionInterface):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open_session(self, app: Flask, request: Request) -> SqlSession:
        token = request.cookies.get(self.get_cookie_name(app))
        if not token or len(token) > 100:
            return SqlSession()
        now = _now()
        with reading(self.engine) as conn:
            row = conn.execute(
                select(WebSession).where(WebSession.token_hash == _hash(token))
            ).first()
        if row is None or now - row.seen_at > IDLE or now - row.created_at > ABSOLUTE:
            return SqlSession()  # a new token is made when it is saved
        session = SqlSession(dict(row.data), token)
        session.created_at = row.created_at
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, SqlSession)
        name = self.get_cookie_name(app)
        old = session.token
        if session.ended or (not session and old is None):
            if old is not None:
                with writing(self.engine) as conn:
                    conn.execute(delete(WebSession).where(WebSession.token_hash == _hash(old)))
            if session.ended or name in request.cookies:
                response.delete_cookie(name, **self._cookie_scope(app))
            return
        now = _now()
        values = {
            "data": dict(session),
            "customer_id": session.get("customer_id"),
            "seen_at": now,
        }
        with writing(self.engine) as conn:
            if old is None or session.rotated:
                if old is not None:
                    conn.execute(delete(WebSession).where(WebSession.token_hash == _hash(old)))
                conn.execute(delete(WebSession).where(_expired(now)))
                token = secrets.token_urlsafe(32)
                conn.execute(
                    insert(WebSession).values(token_hash=_hash(token), created_at=now, **values)
                )
            else:
                token = old
                conn.execute(
                    update(WebSession).where(WebSession.token_hash == _hash(old)).values(**values)
                )
        response.vary.add("Cookie")
        response.set_cookie(
            name,
            token,
            httponly=self.get_cookie_httponly(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            **self._cookie_scope(app),
        )

    def _cookie_scope(self, app: Flask) -> dict[str, Any]:
        return {"path": self.get_cookie_path(app), "domain": self.get_cookie_domain(app)}


def _expired(now: dt.datetime) -> Any:
    return or_(WebSession.seen_at < now - IDLE, WebSession.created_at < now - ABSOLUTE)


def end_sessions_of(engine: Engine, customer_id: int) -> None:
    """End every session of a customer (an account disabled or its password reset)."""
    with writing(engine) as conn:
        conn.execute(delete(WebSession).where(WebSession.customer_id == customer_id))
