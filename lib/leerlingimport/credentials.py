"""Passwords and one-time passwords: argon2id and HMAC hashes, expiry, single use, lockout.

A one-time password is shown once (on screen or a printed slip) and stored only as a hash.
Logging in with it consumes it: the login succeeds with ``must_change`` set, and the portal
demands a new password before anything else.

Passwords people choose, and the staff's and teachers' short one-time passwords, are argon2id
hashes: slow on purpose, because their entropy is small. Pupils' one-time passwords, made by
the hundred thousand in an import, are 80 random bits and stored as HMAC-SHA-256 under a key
that is not in the database (``otp_key``): guessing 2**80 values is out of reach whatever the
hash costs, so a fast hash is as safe and takes microseconds instead of half a millisecond.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, case, insert, select, update

from leerlingimport.db.tables import Card, Credential
from leerlingimport.errors import ConfigError

log = logging.getLogger(__name__)

# No 0/O, 1/l/I: the password is typed over from a printed slip.
OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
OTP_LENGTH = 10
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

# Pupils' one-time passwords: 16 symbols of Crockford's base32 (no I, L, O, U) = 80 bits, shown
# in groups of four. Typing is forgiving: case, spaces and dashes do not matter, and O, I and L
# read as 0, 1 and 1, as Crockford decodes them.
PUPIL_OTP_BYTES = 10  # 80 bits: 16 base32 symbols exactly
OTP_KEY_VARIABLE = "LEERLINGIMPORT_OTP_KEY"
OTP_KEY_FILE = "otp.key"
MIN_KEY_LENGTH = 32
HMAC_PREFIX = "hmac-sha256$"
_TO_CROCKFORD = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)


def new_one_time_password(length: int = OTP_LENGTH) -> str:
    """A random one-time password that is easy to type over."""
    return "".join(secrets.choice(OTP_ALPHABET) for _ in range(length))


def pupil_one_time_passwords(count: int, key: bytes) -> list[tuple[str, str]]:
    """``count`` new (one-time password, HMAC-SHA-256 hash under ``key``) pairs for pupils."""
    symbols = base64.b32encode(secrets.token_bytes(PUPIL_OTP_BYTES * count)).decode("ascii")
    symbols = symbols.translate(_TO_CROCKFORD)
    plain = [symbols[i : i + 16] for i in range(0, len(symbols), 16)]
    keyed = _keyed(key)
    return [(f"{p[:4]}-{p[4:8]}-{p[8:12]}-{p[12:]}", _keyed_hash(p, keyed)) for p in plain]


def otp_key(data_dir: Path | None = None, environ: Mapping[str, str] | None = None) -> bytes:
    """The key of pupils' one-time password hashes: ``LEERLINGIMPORT_OTP_KEY`` (at least 32
    characters), or else, for development, ``otp.key`` (mode 0600, made once) in the data
    directory (``data_dir``; without it ``LEERLINGIMPORT_DATA_DIR``, default ``var/``), so every
    process that issues or checks passwords there (an import's notebook kernel, the portal)
    uses the same key."""
    env = os.environ if environ is None else environ
    value = env.get(OTP_KEY_VARIABLE, "")
    if value:
        if len(value) < MIN_KEY_LENGTH:
            raise ConfigError(
                f"{OTP_KEY_VARIABLE} is te kort ({len(value)} tekens); geef minstens "
                f"{MIN_KEY_LENGTH} willekeurige tekens, bijv. de uitvoer van "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`."
            )
        return value.encode("utf-8")
    folder = data_dir or Path(env.get("LEERLINGIMPORT_DATA_DIR", "var"))
    return _file_key(folder.resolve() / OTP_KEY_FILE)


@cache
def _file_key(path: Path) -> bytes:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    except OSError as err:
        raise ConfigError(
            f"{OTP_KEY_VARIABLE} is niet gezet en {path} kan niet worden gemaakt ({err.strerror})"
            f"; zet {OTP_KEY_VARIABLE} op minstens {MIN_KEY_LENGTH} willekeurige tekens."
        ) from err
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_bytes(32))
    log.warning("%s is not set: made a key for one-time passwords in %s", OTP_KEY_VARIABLE, path)
    return path.read_bytes()


def _keyed(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod="sha256")


def _keyed_hash(symbols: str, keyed: hmac.HMAC) -> str:
    one = keyed.copy()  # the key's set-up is done once per import, not once per pupil
    one.update(symbols.encode("utf-8"))
    return HMAC_PREFIX + one.hexdigest()


def _as_typed(password: str) -> str:
    """A pupil's one-time password as its hash was made: the 16 symbols, upper case."""
    typed = password.upper().replace("-", "").replace(" ", "")
    return typed.replace("O", "0").replace("I", "1").replace("L", "1")


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
    conn: Connection,
    card_number: str,
    password: str,
    now: dt.datetime,
    key: bytes | None = None,
) -> LoginResult:
    """Check a card number and password; count failures, lock after too many, consume an OTP.

    ``key`` is the one-time password key (``otp_key()`` when not given). Every attempt does the
    same work, whatever the card, its lock or its kind of hash: no timing oracle.
    """
    cred = conn.execute(
        select(Credential)
        .join(Card, Card.customer_id == Credential.customer_id)
        .where(Card.number == card_number.strip(), Card.status == "active")
    ).first()
    key = otp_key() if key is None else key
    if cred is None or (cred.locked_until is not None and cred.locked_until > now):
        _verify(None, password, key)
        return FAILED
    expired = cred.must_change and cred.otp_expires_at is not None and cred.otp_expires_at <= now
    if not _verify(cred.password_hash, password, key) or expired:
        _record_failure(conn, cred.customer_id, now)
        return FAILED
    values: dict[str, object] = {"failed_attempts": 0, "locked_until": None, "updated_at": now}
    if cred.must_change:
        values["password_hash"] = None  # single use: the OTP is gone once it has been used
    # Only the hash that was checked: of two logins with one OTP at the same time, one wins.
    done = conn.execute(
        update(Credential)
        .where(
            Credential.customer_id == cred.customer_id,
            Credential.password_hash == cred.password_hash,
        )
        .values(values)
    ).rowcount
    if not done:
        return FAILED
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


def _verify(stored: str | None, password: str, key: bytes) -> bool:
    """Whether ``password`` matches ``stored``; one argon2id verification and one HMAC on every
    call (against stand-ins where ``stored`` is of the other kind or missing)."""
    keyed = stored is not None and stored.startswith(HMAC_PREFIX)
    slow = _argon2_matches(stored if stored and not keyed else _dummy_hash(), password)
    fast = hmac.compare_digest(
        stored if stored and keyed else _DUMMY_HMAC, _keyed_hash(_as_typed(password), _keyed(key))
    )
    return stored is not None and (fast if keyed else slow)


def _argon2_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


_DUMMY_HMAC = HMAC_PREFIX + "0" * 64


def _record_failure(conn: Connection, customer_id: int, now: dt.datetime) -> None:
    """Count a failure in the database itself (``failed_attempts + 1``), so failures at the
    same moment all count; the one that reaches the limit locks the account."""
    attempts = Credential.failed_attempts + 1
    conn.execute(
        update(Credential)
        .where(Credential.customer_id == customer_id)
        .values(
            failed_attempts=attempts,
            locked_until=case((attempts >= MAX_FAILED_ATTEMPTS, now + LOCKOUT), else_=None),
            updated_at=now,
        )
    )
