"""The library's own records that come from params: branches and schools."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from leerlingimport.cards import ensure_sequence
from leerlingimport.db.tables import Branch, School
from leerlingimport.errors import NotFound
from leerlingimport.params import Params


def register_params(conn: Connection, params: Params) -> None:
    """Make sure every school in params, and its branch, exists in the database (idempotent)."""
    ensure_sequence(conn, params.library.card_prefix)
    for school in params.schools.values():
        branch_id = ensure_branch(conn, school.branch)
        existing = conn.scalar(select(School.id).where(School.brin == school.brin))
        values = {"name": school.name, "branch_id": branch_id, "sector": school.sector}
        if existing is None:
            conn.execute(insert(School).values(brin=school.brin, **values))
        else:
            conn.execute(update(School).where(School.id == existing).values(**values))


def ensure_branch(conn: Connection, number: str) -> int:
    """The id of branch ``number``, created when missing."""
    found = conn.scalar(select(Branch.id).where(Branch.number == number))
    if found is not None:
        return int(found)
    return int(
        conn.execute(
            insert(Branch)
            .values(number=number, name=f"Vestiging {number}", kind="library")
            .returning(Branch.id)
        ).scalar_one()
    )


def school_id(conn: Connection, brin: str) -> int:
    """The id of the school with ``brin``."""
    found = conn.scalar(select(School.id).where(School.brin == brin.upper()))
    if found is None:
        raise NotFound(f"School {brin} staat niet in de database; voer eerst 'init' uit.")
    return int(found)


def branch_id(conn: Connection, number: str) -> int:
    """The id of branch ``number``."""
    found = conn.scalar(select(Branch.id).where(Branch.number == number))
    if found is None:
        raise NotFound(f"Vestiging {number} bestaat niet.")
    return int(found)
