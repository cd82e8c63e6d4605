"""Retention (DESIGN §7.2): raw uploads, run directories (with their password lists) and
archives older than ``retention_days`` are deleted; a dry run lists them.

A run's age is its start in the database (a directory the database does not know: its last
change); a running run's directory is never deleted. An archive's age is its manifest's
``started_at``. A deleted upload keeps its row, marked ``purged``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select, update

from leerlingimport.db import reading, writing
from leerlingimport.db.tables import ImportRun, Upload
from leerlingimport.params import Params
from leerlingimport.workbook.archive import MANIFEST, make_writable


@dataclass(frozen=True)
class Expired:
    kind: str  # upload | run | archive
    path: Path
    since: dt.datetime


def expired(
    engine: Engine, params: Params, data_dir: Path, now: dt.datetime | None = None
) -> list[Expired]:
    """What retention would delete now."""
    now = now or dt.datetime.now(dt.UTC)
    days = params.library.retention_days
    return [
        *_uploads(engine, data_dir, now - dt.timedelta(days=days.uploads)),
        *_runs(engine, data_dir, now - dt.timedelta(days=days.run_artifacts)),
        *_archives(data_dir, now - dt.timedelta(days=days.archive)),
    ]


def purge(engine: Engine, found: list[Expired]) -> int:
    """Delete what ``expired`` found; returns how many were deleted."""
    for item in found:
        if item.kind == "upload":
            item.path.unlink(missing_ok=True)
            with writing(engine) as conn:
                conn.execute(
                    update(Upload)
                    .where(Upload.stored_name == item.path.name)
                    .values(status="purged")
                )
        else:
            if item.kind == "archive":
                make_writable(item.path)
                with writing(engine) as conn:  # deleted by retention: not missing
                    conn.execute(
                        update(ImportRun)
                        .where(ImportRun.archive_path == str(item.path))
                        .values(archive_sha256=None)
                    )
            shutil.rmtree(item.path, ignore_errors=True)
            _remove_empty_parents(item.path)
    return len(found)


def _uploads(engine: Engine, data_dir: Path, before: dt.datetime) -> list[Expired]:
    with reading(engine) as conn:
        rows = conn.execute(
            select(Upload.stored_name, Upload.received_at).where(
                Upload.received_at < before, Upload.status != "purged"
            )
        ).all()
    return [Expired("upload", data_dir / "inbox" / name, at) for name, at in rows]


def _runs(engine: Engine, data_dir: Path, before: dt.datetime) -> list[Expired]:
    folder = data_dir / "runs"
    if not folder.is_dir():
        return []
    with reading(engine) as conn:
        known = {
            row.run_id: (row.started_at, row.status)
            for row in conn.execute(
                select(ImportRun.run_id, ImportRun.started_at, ImportRun.status)
            )
        }
    found = []
    for path in sorted(p for p in folder.iterdir() if p.is_dir()):
        started, status = known.get(path.name, (_changed(path), None))
        if status != "running" and started < before:
            found.append(Expired("run", path, started))
    return found


def _archives(data_dir: Path, before: dt.datetime) -> list[Expired]:
    found = []
    for manifest in sorted((data_dir / "archive").glob(f"*/*/*/{MANIFEST}")):
        try:
            started = dt.datetime.fromisoformat(json.loads(manifest.read_text())["started_at"])
        except (ValueError, KeyError):
            started = _changed(manifest)
        if started < before:
            found.append(Expired("archive", manifest.parent, started))
    return found


def _changed(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


def _remove_empty_parents(path: Path) -> None:
    """An archive's school-year and school folders go when their last run went."""
    for parent in (path.parent, path.parent.parent):
        if parent.name in ("archive", "runs") or any(parent.iterdir()):
            return
        parent.rmdir()
