from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from leerlingimport.credentials import (
    MAX_FAILED_ATTEMPTS,
    authenticate,
    change_password,
    set_one_time_password,
)
from leerlingimport.customers import NewCustomer, add_customer, reset_password
from leerlingimport.db import reading, writing
from leerlingimport.db.tables import Credential

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
    from sqlalchemy import insert

    from leerlingimport.db.tables import Card, Customer

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
