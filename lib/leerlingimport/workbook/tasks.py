"""The Prefect tasks the flows in ``flows/`` are made of: each wraps one function of the
workbook, so the flows read like a table of contents. Only a transient failure (the database
gone or busy) is retried; bad data never is: it ends the run as rejected, held or failed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run

from leerlingimport.errors import DatabaseUnavailable, LeerlingimportError
from leerlingimport.pipeline import ImportResult
from leerlingimport.runs import Run
from leerlingimport.workbook import inbox, retention, runner
from leerlingimport.workbook.book import Workbook
from leerlingimport.workbook.kernel import Kernel


def transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only when the database was unavailable."""
    try:
        state.result()
    except LeerlingimportError as err:
        return err.retryable
    except Exception:
        return False
    return False


RETRY: dict[str, Any] = {
    "retries": 3,
    "retry_delay_seconds": [5, 30, 120],
    "retry_condition_fn": transient,
    "cache_policy": NONE,
}


def run_name() -> str:
    """Flow runs are named by school (or flow) and date: ``99ZZ-2026-09-01``."""
    school = flow_run.parameters.get("school") or flow_run.flow_name
    return f"{school}-{dt.date.today():%Y-%m-%d}"


@contextmanager
def workbook() -> Iterator[Workbook]:
    """The database, params and data directory from the environment (``LEERLINGIMPORT_*``),
    as a deployment's worker has them; the database connections are closed afterwards."""
    from leerlingimport.settings import Settings
    from leerlingimport.workbook.book import open_workbook

    settings = Settings.from_env()
    book = open_workbook(settings.database_url, str(settings.params_dir), str(settings.data_dir))
    try:
        yield book
    finally:
        book.engine.dispose()


@task(name="start-run", **RETRY)
def begin(
    book: Workbook, school: str, file: str, dry_run: bool, confirm_deregistration: bool
) -> tuple[Run, runner.RunParameters]:
    return runner.begin(
        book,
        Path(file),
        school,
        dry_run=dry_run,
        confirm_deregistration=confirm_deregistration,
        started_by="prefect",
    )


@task(name="step", task_run_name="{step.name}", **RETRY)
def run_step(
    book: Workbook, run: Run, values: runner.RunParameters, step: runner.Step, session: Kernel
) -> runner.StepOutcome:
    outcome = runner.run_step(book, run, values, step, session=session)
    if outcome.error_type == DatabaseUnavailable.__name__:
        raise DatabaseUnavailable(outcome.error or "")  # retried: the step is safe to repeat
    return outcome


@task(name="archive-and-finish", **RETRY)
def close(
    book: Workbook, run: Run, values: runner.RunParameters, outcomes: list[runner.StepOutcome]
) -> ImportResult:
    return runner.close(book, run, values, outcomes)


@task(name="school-inbox", task_run_name="{school}", cache_policy=NONE)
def handle_school(book: Workbook, school: str, uploads: list[inbox.Received]) -> inbox.Handled:
    return inbox.handle_school(book, uploads, notifier(book))


@task(name="purge", cache_policy=NONE)
def purge(book: Workbook, dry_run: bool) -> list[str]:
    found = retention.expired(book.engine, book.params, book.data_dir)
    logger = get_run_logger()
    for item in found:
        logger.info("%s %s (sinds %s)", item.kind, item.path, f"{item.since:%Y-%m-%d}")
    if not dry_run:
        retention.purge(book.engine, found)
    return [str(item.path) for item in found]


def notifier(book: Workbook) -> inbox.Notify | None:
    """Mail to the library's ``notify_email`` when SMTP is configured; else None."""
    try:
        from leerlingimport.mail import mailer_from_env
    except ImportError:
        return None
    mailer = mailer_from_env()
    if mailer is None:
        return None
    to = book.params.library.notify_email

    def send(subject: str, body: str) -> None:
        mailer.send(to, subject, body)

    return send
