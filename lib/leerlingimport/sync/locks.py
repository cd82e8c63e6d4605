"""What a run may match, locked before it reads (PostgreSQL; SQLite serialises writers).

Two schools importing at once may hold the same child: a pupil moving between them, or a new
pupil in both files. Each run takes a transaction-scoped advisory lock per person key (name key
and birth date) and per card number in its file, in sorted order, before it reads the state: the
second run waits for the first to commit and then sees its work, so neither fails on the
one-active-enrollment rule and no child is created twice. A row matched by student number
alone has no such key: after reading the state, the run locks the customer rows a plan may
match (``state.candidates``) and reads the state again until it holds them all, then plans
once. A file with more keys than ``MAX_KEYS`` takes one exclusive lock instead (every run
holds it shared), so the lock table, which PostgreSQL sizes at 64 locks a connection, is
never exhausted.
"""

from __future__ import annotations

import hashlib

import pandas as pd
from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT

from leerlingimport.db.chunks import chunks
from leerlingimport.names import name_keys

MAX_KEYS = 1000
_EVERYONE = -7_241_001_000_000_000_001  # the one key every run holds (shared, or exclusive)


def lock_people(conn: Connection, rows: pd.DataFrame) -> bool:
    """Lock every person and card ``rows`` (the checked table) may match. True when other
    runs may still be writing: the caller then locks the customers a plan may match
    (``lock_customers``) and reads the state again."""
    if conn.dialect.name != "postgresql":
        return False
    keys = sorted(_keys(rows))
    if len(keys) > MAX_KEYS:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _EVERYONE})
        return False
    conn.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": _EVERYONE})
    if keys:
        many = text("SELECT pg_advisory_xact_lock(k) FROM unnest(:keys) WITH ORDINALITY AS t(k, n)")
        conn.execute(many.bindparams(bindparam("keys", type_=ARRAY(BIGINT))), {"keys": keys})
    return True


def lock_customers(conn: Connection, customers: set[int], held: set[int]) -> set[int]:
    """Row locks on the customers a plan may match that this run does not hold yet, in id
    order (a row matched by student number alone has no person key to lock): a concurrent run
    that holds one makes this wait for its commit. Returns the ids now held."""
    from leerlingimport.db.tables import Customer

    wanted = sorted(customers - held)
    for chunk in chunks(wanted):
        conn.execute(
            select(Customer.id)
            .where(Customer.id.in_(chunk))
            .order_by(Customer.id)
            .with_for_update()
        ).all()
    return held | set(wanted)


def _keys(rows: pd.DataFrame) -> set[int]:
    dated = rows[rows["birth_date"].notna()]
    people = (
        name_keys(dated["prefix"], dated["surname"])
        + "|"
        + (pd.to_datetime(dated["birth_date"]).dt.strftime("%Y-%m-%d"))
    )
    cards = rows.loc[rows["card_number"] != "", "card_number"]
    return {_hash(f"p|{p}") for p in people} | {_hash(f"c|{c}") for c in cards}


def _hash(text_: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(text_.encode(), digest_size=8).digest(), "big", signed=True
    )
