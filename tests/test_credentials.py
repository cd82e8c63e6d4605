from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from leerlingimport.credentials import (
    MAX_FAILED_ATTEMPTS,
    authenticate,
    change_password,
    otp_key,
    pupil_one_time_passwords,
    set_one_time_password,
)
from leerlingimport.customers import NewCustomer, add_customer, reset_password
from leerlingimport.db import reading, writing
from leerlingimport.db.tables import Card, Credential, Customer
from leerlingimport.errors import ConfigError

from .test_db import NOW

DAY = dt.timedelta(days=1)


@pytest.fixture
def teacher(engine: Engine) -> tuple[str, str]:
    with writing(engine) as conn:
        done = add_customer(conn, NewCustomer(surname="Smit", first_name="Ria"), "2099", NOW, DAY)
    return done.card_number, done.one_time_password


def login(engine: Engine, card: str, password: str, at: dt.datetime = NOW):  # type: ignore[no-untyped-def]
    with writing(engine) as conn:
        return authenticate(conn, card, password, at)


def test_one_time_password_works_once_and_forces_a_new_password(
    engine: Engine, teacher: tuple[str, str]
) -> None:
    card, otp = teacher
    first = login(engine, card, otp)
    assert first.ok and first.must_change
    assert not login(engine, card, otp).ok  # single use
    with writing(engine) as conn:
        change_password(conn, first.customer_id or 0, "een eigen wachtwoord", NOW)
    second = login(engine, card, "een eigen wachtwoord")
    assert second.ok and not second.must_change


def test_one_time_password_expires(engine: Engine, teacher: tuple[str, str]) -> None:
    card, otp = teacher
    assert not login(engine, card, otp, NOW + DAY).ok
    # A second before the expiry it still works: the refused try above did not consume it.
    assert login(engine, card, otp, NOW + DAY - dt.timedelta(seconds=1)).ok


def test_one_time_password_is_never_stored_in_plain(
    engine: Engine, teacher: tuple[str, str]
) -> None:
    _card, otp = teacher
    with reading(engine) as conn:
        rows = conn.execute(select(Credential)).all()
    assert len(rows) == 1
    stored = " ".join(str(v) for v in rows[0])
    assert otp not in stored
    assert rows[0].password_hash.startswith("$argon2id$")


def test_wrong_passwords_lock_the_account(engine: Engine, teacher: tuple[str, str]) -> None:
    card, otp = teacher
    for _ in range(MAX_FAILED_ATTEMPTS):
        assert not login(engine, card, "fout").ok
    assert not login(engine, card, otp).ok  # locked, even with the right password
    assert login(engine, card, otp, NOW + dt.timedelta(minutes=16)).ok  # lock expired


def test_unknown_card_and_reset(engine: Engine, teacher: tuple[str, str]) -> None:
    card, otp = teacher
    assert not login(engine, "0000000", otp).ok
    with writing(engine) as conn:
        new = reset_password(conn, card, NOW, DAY)
    assert new != otp
    assert not login(engine, card, otp).ok
    assert login(engine, card, new).ok


def test_short_password_refused(engine: Engine, teacher: tuple[str, str]) -> None:
    card, otp = teacher
    result = login(engine, card, otp)
    with pytest.raises(ValueError, match="minstens"), writing(engine) as conn:
        change_password(conn, result.customer_id or 0, "kort", NOW)


def test_set_otp_creates_credentials_when_missing(engine: Engine) -> None:
    with writing(engine) as conn:
        customer = conn.execute(
            insert(Customer)
            .values(role="adult", surname="Zonder", created_at=NOW, updated_at=NOW)
            .returning(Customer.id)
        ).scalar_one()
        conn.execute(
            insert(Card).values(
                number="5550001", customer_id=customer, kind="library", issued_at=NOW
            )
        )
        assert conn.scalar(select(Credential.customer_id)) is None  # no credentials yet
        otp = set_one_time_password(conn, customer, NOW, DAY)
    assert len(otp) == 10
    result = login(engine, "5550001", otp)
    assert result.ok and result.must_change and result.customer_id == customer


PUPIL_OTP = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}")


@pytest.fixture
def pupil(engine: Engine) -> tuple[str, str]:
    """A pupil's card and the one-time password an import gives (as ``passwords`` stores it)."""
    [(otp, hashed)] = pupil_one_time_passwords(1, otp_key())
    with writing(engine) as conn:
        customer = conn.execute(
            insert(Customer)
            .values(role="pupil", surname="Leerling", created_at=NOW, updated_at=NOW)
            .returning(Customer.id)
        ).scalar_one()
        conn.execute(
            insert(Card).values(
                number="5550002", customer_id=customer, kind="school", issued_at=NOW
            )
        )
        conn.execute(
            insert(Credential).values(
                customer_id=customer,
                password_hash=hashed,
                must_change=True,
                otp_expires_at=NOW + DAY,
                updated_at=NOW,
            )
        )
    return "5550002", otp


def test_pupil_one_time_password_has_80_bits_in_groups_and_a_keyed_hash(
    engine: Engine, pupil: tuple[str, str]
) -> None:
    _card, otp = pupil
    assert PUPIL_OTP.fullmatch(otp)
    pairs = pupil_one_time_passwords(1000, otp_key())
    assert len({p for p, _ in pairs}) == 1000
    assert all(PUPIL_OTP.fullmatch(p) and h.startswith("hmac-sha256$") for p, h in pairs)
    with reading(engine) as conn:
        stored = conn.scalar(select(Credential.password_hash))
    assert stored is not None and stored.startswith("hmac-sha256$")
    assert otp not in stored and otp.replace("-", "") not in stored


def test_pupil_one_time_password_logs_in_once_however_it_is_typed(
    engine: Engine, pupil: tuple[str, str]
) -> None:
    card, otp = pupil
    assert not login(engine, card, otp[:-1] + ("2" if otp[-1] != "2" else "3")).ok
    typed = otp.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    first = login(engine, card, typed)
    assert first.ok and first.must_change
    assert not login(engine, card, otp).ok  # single use
    with writing(engine) as conn:
        change_password(conn, first.customer_id or 0, "een eigen wachtwoord", NOW)
    assert login(engine, card, "een eigen wachtwoord").ok


def test_pupil_one_time_password_expires(engine: Engine, pupil: tuple[str, str]) -> None:
    card, otp = pupil
    assert not login(engine, card, otp, NOW + DAY).ok
    assert login(engine, card, otp, NOW + DAY - dt.timedelta(seconds=1)).ok


def test_pupil_one_time_password_needs_the_same_key(engine: Engine, pupil: tuple[str, str]) -> None:
    card, otp = pupil
    with writing(engine) as conn:
        assert not authenticate(conn, card, otp, NOW, key=b"another key of 32 characters...").ok
    assert login(engine, card, otp).ok


def test_key_comes_from_the_environment_or_a_private_file_shared_by_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="LEERLINGIMPORT_OTP_KEY is te kort"):
        otp_key(environ={"LEERLINGIMPORT_OTP_KEY": "kort"})
    monkeypatch.delenv("LEERLINGIMPORT_OTP_KEY")
    monkeypatch.setenv("LEERLINGIMPORT_DATA_DIR", str(tmp_path / "data"))
    key = otp_key()
    assert len(key) == 32 and (tmp_path / "data" / "otp.key").stat().st_mode & 0o777 == 0o600
    other_process = subprocess.run(
        [
            sys.executable,
            "-c",
            "from leerlingimport.credentials import otp_key; print(otp_key().hex())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert other_process.stdout.strip() == key.hex()


def _at_once(count: int, attempt: Callable[[], object]) -> list[object]:
    """``count`` calls of ``attempt`` in threads released together."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    start = Barrier(count)

    def together() -> object:
        start.wait()
        return attempt()

    with ThreadPoolExecutor(count) as pool:
        return [f.result() for f in [pool.submit(together) for _ in range(count)]]


def test_wrong_passwords_at_the_same_moment_all_count(
    engine: Engine, teacher: tuple[str, str]
) -> None:
    """A brute force in parallel gets no more tries: failures are counted in the database."""
    card, _ = teacher
    results = _at_once(MAX_FAILED_ATTEMPTS, lambda: login(engine, card, "geraden wachtwoord"))
    assert not any(r.ok for r in results)  # type: ignore[attr-defined]
    with reading(engine) as conn:
        row = conn.execute(select(Credential.failed_attempts, Credential.locked_until)).one()
    assert row.failed_attempts == MAX_FAILED_ATTEMPTS and row.locked_until is not None


def test_one_time_password_used_at_the_same_moment_logs_in_once(
    engine: Engine, teacher: tuple[str, str]
) -> None:
    card, otp = teacher
    results = _at_once(4, lambda: login(engine, card, otp))
    assert sum(r.ok for r in results) == 1  # type: ignore[attr-defined]
