"""Long IN lists, in one place: a statement binds at most ``CHUNK`` values of a list, which is
safe for SQLite's and PostgreSQL's limits on bound parameters (65,535 for PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
CHUNK = 900


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
