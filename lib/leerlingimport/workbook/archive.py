"""The audit archive: a run's executed notebooks, their HTML and a manifest, written once.

``<data dir>/archive/<BRIN>/<school year>/<run_id>/`` holds ``NN_step.ipynb`` and
``NN_step.html`` (self-contained: no script, style or image from the network) for every step
that ran, and ``manifest.json``: the parameters, the input's sha256, the code version, who
started the run, each step's status and timing (from the ``run_steps`` table, never from the
notebooks) and the sha256 of every other file. The directory is made next to its place and
renamed into it, read-only; an existing archive is never overwritten. The manifest's own
sha256 is kept in ``import_runs.archive_sha256``, so ``verify_archive`` also notices a
manifest that was edited to match an edited file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select, update

from leerlingimport.dates import local_date, school_year
from leerlingimport.db import reading, writing
from leerlingimport.db.tables import ImportRun
from leerlingimport.errors import ConflictError
from leerlingimport.runs import Run
from leerlingimport.workbook.book import NOTEBOOKS, Workbook

if TYPE_CHECKING:
    from leerlingimport.workbook.runner import RunParameters, StepOutcome

MANIFEST = "manifest.json"
# Resources nbconvert would fetch from a CDN: none is needed to read a notebook's tables and
# charts (the charts are embedded PNG), so none is referred to.
_OFFLINE = {
    "mathjax_url": "",
    "require_js_url": "",
    "jquery_url": "",
    "mermaid_js_url": "",
    "mermaid_layout_elk_js_url": "",
    "widget_renderer_url": "",
    "jupyter_widgets_base_url": "",
}


def archive_run(
    book: Workbook,
    run: Run,
    values: RunParameters,
    outcomes: Sequence[StepOutcome],
    status: str,
    counts: dict[str, int],
    input_name: str,
) -> Path:
    """Archive the run's executed notebooks; returns the archive's directory."""
    year = school_year(local_date(run.now, book.params.library.timezone))
    target = book.data_dir / "archive" / run.brin / f"{year}-{year + 1}" / run.run_id
    if target.exists():
        raise ConflictError(
            f"Het archief {target} bestaat al; een archief wordt nooit overschreven."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{run.run_id}-{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700)
    try:
        files = _copy_notebooks(outcomes, staging)
        manifest = _manifest(book, run, values, outcomes, status, counts, input_name, files)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        for path in staging.iterdir():
            path.chmod(0o444)
        staging.chmod(0o555)
        if target.exists():
            raise ConflictError(f"Het archief {target} bestaat al.")
        staging.rename(target)
    except BaseException:
        staging.chmod(0o700)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    with writing(book.engine) as conn:
        conn.execute(
            update(ImportRun)
            .where(ImportRun.id == run.pk)
            .values(archive_path=str(target), archive_sha256=_sha256(target / MANIFEST))
        )
    return target


def verify_archive(path: Path, engine: Engine | None = None) -> list[str]:
    """Every archived run under ``path`` checked against its manifest (and, given the
    database, the manifest against the sha256 recorded when it was written): the problems
    found, as sentences; empty when nothing changed."""
    manifests = [path] if path.name == MANIFEST else sorted(path.rglob(MANIFEST))
    problems: list[str] = []
    for manifest in manifests:
        problems += _verify_one(manifest, engine)
    if path.is_dir():  # a run's folder without its manifest: added, or its manifest removed
        leaves = [d for d in path.rglob("*") if d.is_dir() and any(d.iterdir()) is not False]
        for folder in sorted(leaves):
            if not (folder / MANIFEST).exists() and not any(p.is_dir() for p in folder.iterdir()):
                problems.append(f"{folder}: een map zonder {MANIFEST}; hoort niet bij het archief.")
    if engine is not None:
        problems += _missing(path, engine)
    if not manifests and not problems:
        return [f"{path}: geen archief gevonden (geen {MANIFEST})."]
    return problems


def _missing(path: Path, engine: Engine) -> list[str]:
    """Archives the database says were written under ``path`` and that are gone (retention
    clears ``archive_sha256`` of what it deletes, so those are not reported)."""
    under = str(path.resolve() if path.name != MANIFEST else path.parent.resolve())
    with reading(engine) as conn:
        rows = conn.execute(
            select(ImportRun.run_id, ImportRun.archive_path).where(
                ImportRun.archive_sha256.is_not(None)
            )
        ).all()
    return [
        f"{where}: het archief van import {run_id} ontbreekt (verwijderd of verplaatst)."
        for run_id, where in rows
        if where
        and (where == under or where.startswith(under + os.sep))
        and not (Path(where) / MANIFEST).exists()
    ]


def _verify_one(manifest: Path, engine: Engine | None) -> list[str]:
    folder = manifest.parent
    try:
        recorded = json.loads(manifest.read_text())
        files: dict[str, str] = recorded["files"]
    except (ValueError, KeyError, UnicodeDecodeError):
        return [f"{manifest}: het manifest is onleesbaar of gewijzigd."]
    problems = []
    for name, sha in sorted(files.items()):
        file = folder / name
        if not file.is_file():
            problems.append(f"{file}: ontbreekt.")
        elif _sha256(file) != sha:
            problems.append(f"{file}: gewijzigd (sha256 klopt niet meer).")
    for extra in sorted({p.name for p in folder.iterdir()} - set(files) - {MANIFEST}):
        problems.append(f"{folder / extra}: hoort niet bij het archief.")
    if engine is not None:
        with reading(engine) as conn:
            sha = conn.scalar(
                select(ImportRun.archive_sha256).where(ImportRun.run_id == recorded.get("run_id"))
            )
        if sha is None:
            problems.append(f"{manifest}: de database kent dit archief niet.")
        elif sha != _sha256(manifest):
            problems.append(f"{manifest}: gewijzigd (sha256 klopt niet met de database).")
    return problems


def _copy_notebooks(outcomes: Sequence[StepOutcome], staging: Path) -> dict[str, str]:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(embed_images=True, **_OFFLINE)
    files = {}
    for outcome in outcomes:
        notebook = staging / outcome.notebook.name
        shutil.copyfile(outcome.notebook, notebook)
        html, _ = exporter.from_filename(str(notebook))
        page = notebook.with_suffix(".html")
        page.write_text(html, encoding="utf-8")
        files[notebook.name] = _sha256(notebook)
        files[page.name] = _sha256(page)
    return files


def _manifest(
    book: Workbook,
    run: Run,
    values: RunParameters,
    outcomes: Sequence[StepOutcome],
    status: str,
    counts: dict[str, int],
    input_name: str,
    files: dict[str, str],
) -> dict[str, Any]:
    with reading(book.engine) as conn:
        sha = conn.scalar(select(ImportRun.input_sha256).where(ImportRun.id == run.pk))
    return {
        "run_id": run.run_id,
        "school": run.brin,
        "status": status,
        "counts": counts,
        "started_at": run.now.isoformat(),
        "archived_at": dt.datetime.now(dt.UTC).isoformat(),
        "started_by": run.started_by,
        "input": {"name": input_name, "sha256": sha},
        "parameters": values.model_dump(mode="json"),
        "school_params": book.params.school(run.brin).model_dump(mode="json"),
        "code_version": code_version(),
        "steps": [
            {
                "step": o.step,
                "status": o.status,
                "started_at": o.started_at.isoformat(),
                "finished_at": o.finished_at.isoformat(),
                "seconds": round(o.seconds, 3),
                "error": o.error,
            }
            for o in outcomes
        ],
        "files": files,
    }


def code_version() -> str:
    """The package version, and the git commit when run from a checkout (``+dirty`` when it
    has uncommitted changes)."""
    release = version("leerlingimport")
    repo = NOTEBOOKS.parent
    if not (repo / ".git").exists():
        return release
    try:
        head = _git(repo, "rev-parse", "--short=12", "HEAD")
        dirty = _git(repo, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return release
    return f"{release}+g{head}{'.dirty' if dirty else ''}"


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10, check=True
    )
    return done.stdout.strip()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make_writable(path: Path) -> None:
    """Let retention delete an archive that was written read-only."""
    for folder, _, names in os.walk(path):
        os.chmod(folder, 0o700)
        for name in names:
            os.chmod(os.path.join(folder, name), 0o600)
