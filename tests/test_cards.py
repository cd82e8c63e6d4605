from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import Engine, insert

from leerlingimport.cards import (
    allocate_card_numbers,
    check_scanned_number,
    format_card_number,
    luhn_check_digit,
    luhn_valid,
)
from leerlingimport.db import writing
from leerlingimport.db.tables import Card, Customer
from leerlingimport.errors import ConflictError, InputFileError

from .test_db import NOW


def test_luhn() -> None:
    assert luhn_check_digit("7992739871") == "3"  # the textbook example
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    number = format_card_number("2099", 42)
    assert number == "2099000000042" + luhn_check_digit("2099000000042")
    assert len(number) == 14 and luhn_valid(number)


def test_allocation_is_sequential_and_skips_taken_numbers(engine: Engine) -> None:
    with writing(engine) as conn:
        first = allocate_card_numbers(conn, "2099", 3)
        customer = conn.execute(
            insert(Customer)
            .values(role="adult", surname="Test", created_at=NOW, updated_at=NOW)
            .returning(Customer.id)
        ).scalar_one()
        taken = format_card_number("2099", 5)  # a pre-printed card that lies in the range
        conn.execute(
            insert(Card).values(number=taken, customer_id=customer, kind="library", issued_at=NOW)
        )
        later = allocate_card_numbers(conn, "2099", 3)
    assert first == [format_card_number("2099", v) for v in (1, 2, 3)]
    assert later == [format_card_number("2099", v) for v in (4, 6, 7)]
    with writing(engine) as conn:
        with pytest.raises(ConflictError):
            check_scanned_number(conn, taken)
        with pytest.raises(InputFileError):
            check_scanned_number(conn, "12ab")
        assert check_scanned_number(conn, " 1234567 ") == "1234567"


WORKER = """
import sys
from leerlingimport.cards import allocate_card_numbers
from leerlingimport.db import make_engine, writing
engine = make_engine(sys.argv[1])
for _ in range(40):
    with writing(engine) as conn:
        print("\\n".join(allocate_card_numbers(conn, "2099", 5)), flush=True)
"""


def test_concurrent_generators_never_collide(engine: Engine, database_url: str) -> None:
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, database_url], stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = [w.communicate(timeout=120)[0].split() for w in workers]
    assert all(w.returncode == 0 for w in workers)
    numbers = [n for out in outputs for n in out]
    assert len(numbers) == 3 * 40 * 5
    assert len(set(numbers)) == len(numbers)
    assert all(luhn_valid(n) for n in numbers)
