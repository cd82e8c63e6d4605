"""Passwords and one-time passwords: argon2id hashes, expiry, single use, lockout.

A one-time password is shown once (on screen or a printed slip) and stored only as a hash.
Logging in with it consumes it: the login succeeds with ``must_change`` set, and the portal
demands a new password before anything else.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select, update

from leerlingimport.db.tables import Card, Credential

# No 0/O, 1/l/I: the password is typed over from a printed slip.
OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
OTP_LENGTH = 10
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

# One-time passwords for new pupils are made by the thousand in an import. They are 12 random
# characters (about 59 bits) and expire, so no dictionary or guessing attack applies; a light
# argon2id profile (about 0.5 ms instead of 160 ms) keeps a 500-pupil import from taking minutes.
# Verification reads the parameters from the hash, so both profiles verify the same way.
PUPIL_OTP_LENGTH = 12
_bulk_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def new_one_time_password(length: int = OTP_LENGTH) -> str:
    """A random one-time password that is easy to type over."""
    return "".join(secrets.choice(OTP_ALPHABET) for _ in range(length))


def pupil_one_time_passwords(count: int) -> list[tuple[str, str]]:
    """``count`` new (one-time password, argon2id hash) pairs for pupils, hashed on every core."""
    from concurrent.futures import ThreadPoolExecutor

    plain = [new_one_time_password(PUPIL_OTP_LENGTH) for _ in range(count)]
    with ThreadPoolExecutor() as pool:  # argon2-cffi releases the GIL while hashing
        hashes = list(pool.map(_bulk_hasher.hash, plain, chunksize=256))
    return list(zip(plain, hashes, strict=True))


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def set_one_time_password(
    conn: Connection, customer_id: int, now: dt.datetime, valid_for: dt.timedelta
) -> str:
    """Give the customer a new one-time password; returns it (the only time it exists in plain)."""
    otp = new_one_time_password()
    values = {
        "password_hash": hash_password(otp),
        "must_change": True,
        "otp_expires_at": now + valid_for,
        "failed_attempts": 0,
        "locked_until": None,
        "updated_at": now,
    }
    done = conn.execute(
        update(Credential).where(Credential.customer_id == customer_id).values(**values)
    )
    if done.rowcount == 0:
        conn.execute(insert(Credential).values(customer_id=customer_id, **values))
    return otp


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login attempt; ``ok`` False carries no reason on purpose."""

    ok: bool
    customer_id: int | None = None
    must_change: bool = False


FAILED = LoginResult(ok=False)


def authenticate(
    conn: Connection, card_number: str, password: str, now: dt.datetime
) -> LoginResult:
    """Check a card number and password; count failures, lock after too many, consume an OTP."""
    cred = conn.execute(
        select(Credential)
        .join(Card, Card.customer_id == Credential.customer_id)
        .where(Card.number == card_number.strip(), Card.status == "active")
    ).first()
    if cred is None:
        _verify(_dummy_hash(), password)  # the same work for unknown cards: no timing oracle
        return FAILED
    if cred.locked_until is not None and cred.locked_until > now:
        return FAILED
    expired = cred.must_change and cred.otp_expires_at is not None and cred.otp_expires_at <= now
    if cred.password_hash is None or expired or not _verify(cred.password_hash, password):
        _record_failure(conn, cred.customer_id, cred.failed_attempts + 1, now)
        return FAILED
    values: dict[str, object] = {"failed_attempts": 0, "locked_until": None, "updated_at": now}
    if cred.must_change:
        values["password_hash"] = None  # single use: the OTP is gone once it has been used
    conn.execute(
        update(Credential).where(Credential.customer_id == cred.customer_id).values(values)
    )
    return LoginResult(ok=True, customer_id=cred.customer_id, must_change=cred.must_change)


def change_password(
    conn: Connection, customer_id: int, new_password: str, now: dt.datetime
) -> None:
    """Set the customer's own password (after an OTP login or from a logged-in session)."""
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Kies een wachtwoord van minstens {MIN_PASSWORD_LENGTH} tekens.")
    conn.execute(
        update(Credential)
        .where(Credential.customer_id == customer_id)
        .values(
            password_hash=hash_password(new_password),
            must_change=False,
            otp_expires_at=None,
            failed_attempts=0,
            locked_until=None,
            updated_at=now,
        )
    )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


def _record_failure(conn: Connection, customer_id: int, attempts: int, now: dt.datetime) -> None:
    locked = now + LOCKOUT if attempts >= MAX_FAILED_ATTEMPTS else None
    conn.execute(
        update(Credential)
        .where(Credential.customer_id == customer_id)
        .values(failed_attempts=attempts, locked_until=locked, updated_at=now)
    )
