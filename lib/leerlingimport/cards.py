"""Card numbers: ``card_prefix`` + a sequence + a Luhn check digit, unique in the whole system.

Numbers are drawn from the ``sequences`` table with one ``UPDATE ... RETURNING`` per batch, which
the database serialises, so two processes generating at once never get the same number.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from leerlingimport.db.tables import Card, Sequence
from leerlingimport.errors import ConflictError, InputFileError
from leerlingimport.schema import CARD_LENGTH

MIN_SCANNED, MAX_SCANNED = 5, 20


def luhn_check_digit(digits: str) -> str:
    """The Luhn check digit that makes ``digits + check`` pass the Luhn test."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """Whether ``number`` (all digits) ends in its Luhn check digit."""
    return number.isdigit() and len(number) > 1 and luhn_check_digit(number[:-1]) == number[-1]


def format_card_number(prefix: str, value: int) -> str:
    """The card number for sequence ``value``: prefix, zero-padded value, check digit."""
    width = CARD_LENGTH - len(prefix) - 1
    body = f"{prefix}{value:0{width}d}"
    if len(body) != CARD_LENGTH - 1:
        raise ConflictError(f"De pasnummerreeks met voorvoegsel {prefix} is vol.")
    return body + luhn_check_digit(body)


def allocate_card_numbers(conn: Connection, prefix: str, count: int) -> list[str]:
    """Reserve ``count`` new card numbers in the caller's transaction.

    Numbers already taken (a scanned pre-printed card that happens to fall in the range) are
    skipped.
    """
    if count <= 0:
        return []
    name = f"card:{prefix}"
    numbers: list[str] = []
    while len(numbers) < count:
        want = count - len(numbers)
        first = _advance(conn, name, want)
        batch = [format_card_number(prefix, v) for v in range(first, first + want)]
        # Fixed width: the batch is one range of text, read in one query (not an IN list).
        taken = set(
            conn.scalars(select(Card.number).where(Card.number.between(batch[0], batch[-1])))
        )
        numbers.extend(n for n in batch if n not in taken)
    return numbers


def _advance(conn: Connection, name: str, count: int) -> int:
    """Advance sequence ``name`` by ``count``; return the first value of the reserved block."""
    stmt = (
        update(Sequence)
        .where(Sequence.name == name)
        .values(next_value=Sequence.next_value + count)
        .returning(Sequence.next_value)
    )
    end = conn.execute(stmt).scalar_one_or_none()
    if end is None:
        # First use: create the row. A concurrent creator makes this fail on the primary key,
        # and the caller's transaction is retried by the caller; in practice `init` creates it.
        conn.execute(insert(Sequence).values(name=name, next_value=1 + count))
        return 1
    return int(end) - count


def ensure_sequence(conn: Connection, prefix: str) -> None:
    """Create the card-number sequence for ``prefix`` if it does not exist yet."""
    name = f"card:{prefix}"
    if conn.scalar(select(Sequence.name).where(Sequence.name == name)) is None:
        conn.execute(insert(Sequence).values(name=name, next_value=1))


def check_scanned_number(conn: Connection, number: str) -> str:
    """Validate a scanned pre-printed card number and check it is still free."""
    number = number.strip()
    if not number.isdigit() or not MIN_SCANNED <= len(number) <= MAX_SCANNED:
        raise InputFileError(
            f"Pasnummer '{number}' is ongeldig: gebruik {MIN_SCANNED} tot {MAX_SCANNED} cijfers, "
            "of 'V' om een nummer te laten maken."
        )
    if conn.scalar(select(Card.id).where(Card.number == number)) is not None:
        raise ConflictError(f"Pasnummer {number} is al in gebruik bij een andere klant.")
    return number
