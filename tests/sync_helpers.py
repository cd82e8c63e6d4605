"""Helpers for the import scenarios: run an import, read back what the database holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from leerlingimport.db import reading
from leerlingimport.db.tables import Base, Card, Enrollment, School, Subscription
from leerlingimport.params import Params
from leerlingimport.pipeline import ImportResult, run_import

NOW = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)
NEXT_YEAR = dt.datetime(2027, 9, 1, 8, 0, tzinfo=dt.UTC)


def imp(
    engine: Engine,
    params: Params,
    data_dir: Path,
    data: bytes,
    brin: str = "99ZZ",
    now: dt.datetime = NOW,
    **options: Any,
) -> ImportResult:
    result = run_import(
        engine, data, "leerlingen.csv", params, brin, data_dir=data_dir, now=now, **options
    )
    c = result.counts
    assert c["rows"] == c["rejected"] + c["new"] + c["reactivated"] + c["updated"] + c["unchanged"]
    assert c["created"] + c["transferred"] <= c["new"]
    return result


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the run records, for 'exactly as before' comparisons."""
    out = {}
    with reading(engine) as conn:
        for name, table in Base.metadata.tables.items():
            if name in ("import_runs", "run_steps", "alembic_version"):
                continue
            rows = conn.execute(select(table)).all()
            out[name] = sorted(tuple(map(str, r)) for r in rows)
    return out


def enrollments(engine: Engine, brin: str) -> dict[str, str]:
    """student number → status, for one school."""
    with reading(engine) as conn:
        rows = conn.execute(
            select(Enrollment.student_number, Enrollment.status)
            .join(School, School.id == Enrollment.school_id)
            .where(School.brin == brin)
        )
        return dict(rows.all())


def customer_of(engine: Engine, brin: str, number: str) -> int:
    with reading(engine) as conn:
        return int(
            conn.scalar(
                select(Enrollment.customer_id)
                .join(School, School.id == Enrollment.school_id)
                .where(School.brin == brin, Enrollment.student_number == number)
            )
            or 0
        )


def cards_of(engine: Engine, customer: int) -> list[tuple[str, str, bool]]:
    with reading(engine) as conn:
        return [
            tuple(r)
            for r in conn.execute(  # type: ignore[misc]
                select(Card.kind, Card.status, Card.is_primary)
                .where(Card.customer_id == customer)
                .order_by(Card.id)
            )
        ]


def subscriptions_of(engine: Engine, customer: int) -> list[tuple[str, str]]:
    with reading(engine) as conn:
        return sorted(
            tuple(r)
            for r in conn.execute(  # type: ignore[misc]
                select(Subscription.kind, Subscription.status).where(
                    Subscription.customer_id == customer
                )
            )
        )


def count(engine: Engine, table: Any) -> int:
    with reading(engine) as conn:
        return len(conn.execute(select(table.id)).all())


def cli_import(
    database_url: str, data_dir: Path, path: Path, brin: str = "99ZZ", *extra: str, **env: str
) -> Any:
    """An in-process import (``tests/inprocess_import.py``) in a process of its own (a
    ``subprocess.Popen``), with ``env`` added (fault points: LEERLINGIMPORT_KILL_AT, ...)."""
    import os
    import subprocess
    import sys

    from .conftest import REPO

    command = [
        sys.executable,
        "-m",
        "tests.inprocess_import",
        database_url,
        str(data_dir),
        str(path),
        brin,
        *extra,
    ]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, **env},
    )


def add_upload(
    engine: Engine,
    data_dir: Path,
    uploader: int,
    brin: str,
    name: str,
    data: bytes,
    at: dt.datetime,
) -> None:
    """A received upload of school ``brin``, as the portal keeps it: the file in the inbox
    under ``name`` and its ``uploads`` row."""
    import hashlib

    from sqlalchemy import insert

    from leerlingimport.db import writing
    from leerlingimport.db.tables import Upload

    (data_dir / "inbox").mkdir(parents=True, exist_ok=True)
    (data_dir / "inbox" / name).write_bytes(data)
    with writing(engine) as conn:
        school = conn.execute(select(School.id, School.branch_id).where(School.brin == brin)).one()
        conn.execute(
            insert(Upload).values(
                school_id=school.id,
                branch_id=school.branch_id,
                uploader_id=uploader,
                original_name="leerlingen.csv",
                stored_name=name,
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
                received_at=at,
                status="received",
            )
        )
