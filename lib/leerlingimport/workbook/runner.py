"""The one runner: a run's five notebooks executed with papermill, in order (DESIGN §6).

Every caller (``leerlingimport import``, the Prefect flows, the portal through the command
line) goes through ``run_workbook``. Parameters are validated before a notebook starts (an
unknown or a missing one is an error); the executed notebook is always written, also when a
cell fails, the cell times out or the kernel dies; each step's status and timing go to the
``run_steps`` table, decided here and never read back from the notebook. The run's outcome is
read from the database and the run directory, which the steps wrote.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import nbformat
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, func, insert, select, update

from leerlingimport.db import reading, writing
from leerlingimport.db.tables import Credential, ImportRun, RunStep
from leerlingimport.errors import ConfigError, DatabaseUnavailable, LeerlingimportError
from leerlingimport.issues import Issue, Language
from leerlingimport.pipeline import WAIT_FOR_SCHOOL, ImportResult, failure_message
from leerlingimport.runs import Run, fail_run, finish_run, start_run
from leerlingimport.steps import COUNT_KEYS, enrolled_counts, load_validated, rejected_counts
from leerlingimport.workbook.book import PASSWORD_VARIABLE, Workbook
from leerlingimport.workbook.kernel import Kernel, kernel

log = logging.getLogger(__name__)

STEP_TIMEOUT = 600  # seconds a cell may run: a 100,000-pupil enroll takes well under a minute

_BASE = ("run_id", "school", "database_url", "params_dir", "data_dir", "language")


@dataclass(frozen=True)
class Step:
    name: str
    notebook: str
    parameters: tuple[str, ...]


STEPS = (
    Step("ingest", "01_ingest.ipynb", (*_BASE, "input_path", "dry_run")),
    Step("validate", "02_validate.ipynb", (*_BASE, "show_personal_data")),
    Step("enroll", "03_enroll.ipynb", (*_BASE, "show_personal_data", "confirm_deregistration")),
    Step("deregister", "04_deregister.ipynb", (*_BASE, "show_personal_data")),
    Step("report", "05_report.ipynb", (*_BASE, "show_personal_data", "finish")),
)


class RunParameters(BaseModel):
    """Every value a run's notebooks receive: literals only, recorded in each notebook."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    run_id: str
    school: str
    input_path: str
    dry_run: bool
    database_url: str
    params_dir: str
    data_dir: str
    language: Literal["nl", "en"] = "nl"
    show_personal_data: bool = False
    confirm_deregistration: bool = False
    finish: bool = False  # the runner ends the run itself, after archiving

    def for_step(self, step: Step) -> dict[str, Any]:
        return {name: getattr(self, name) for name in step.parameters}


class NotebookParameterError(ConfigError):
    """A notebook's parameters differ from what the runner passes."""


@dataclass(frozen=True)
class StepOutcome:
    step: str
    status: str  # ok | failed | stopped (the step ended the run on purpose: a rejected file)
    started_at: dt.datetime
    finished_at: dt.datetime
    notebook: Path
    error: str | None = None
    error_type: str | None = None

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


def run_workbook(
    book: Workbook,
    input_path: Path,
    brin: str,
    *,
    dry_run: bool = False,
    confirm_deregistration: bool = False,
    language: Language = "nl",
    started_by: str | None = None,
    upload_id: int | None = None,
    now: dt.datetime | None = None,
    timeout: int = STEP_TIMEOUT,
) -> ImportResult:
    """Import one school's file through the five notebooks; archive a run that is not a dry
    run; end the run with its status. A failed step ends the run as ``failed``."""
    run, values = begin(
        book,
        input_path,
        brin,
        dry_run=dry_run,
        confirm_deregistration=confirm_deregistration,
        language=language,
        started_by=started_by,
        upload_id=upload_id,
        now=now,
    )
    outcomes: list[StepOutcome] = []
    try:
        with kernel() as session:
            for step in STEPS:
                outcomes.append(run_step(book, run, values, step, timeout=timeout, session=session))
                if outcomes[-1].status != "ok":
                    break
        return close(book, run, values, outcomes)
    except BaseException as err:
        abandon(book, run, err)
        raise


def abandon(book: Workbook, run: Run, err: BaseException) -> None:
    """End a run that the runner itself could not finish (not a notebook: the archive's
    folder, a kernel that would not start, an interrupt) as ``failed``, so the school is not
    locked until the run counts as stale. What its steps committed stays committed."""
    if _ended(book.engine, run):
        return
    reason = failure_message(err) if isinstance(err, Exception) else "afgebroken"
    try:
        fail_run(book.engine, run, f"De import is niet afgemaakt: {reason}", _counts(run))
    except LeerlingimportError:
        log.warning("import %s kon niet als mislukt worden vastgelegd", run.run_id)


def begin(
    book: Workbook,
    input_path: Path,
    brin: str,
    *,
    dry_run: bool = False,
    confirm_deregistration: bool = False,
    language: Language = "nl",
    started_by: str | None = None,
    upload_id: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[Run, RunParameters]:
    """Start the run (the school's lock; a busy school is waited for a while) and fix the
    parameters every notebook of it receives. ``now`` dates the run (the demo's and the
    tests' school years); by default it is the current moment."""
    run = start_run(
        book.engine,
        book.params,
        brin,
        data_dir=book.data_dir,
        data=input_path.read_bytes(),
        dry_run=dry_run,
        started_by=started_by,
        now=now,
        wait_seconds=WAIT_FOR_SCHOOL,
    )
    if upload_id is not None:
        with writing(book.engine) as conn:
            conn.execute(
                update(ImportRun).where(ImportRun.id == run.pk).values(upload_id=upload_id)
            )
    values = RunParameters(
        run_id=run.run_id,
        school=run.brin,
        input_path=str(input_path.resolve()),
        dry_run=dry_run,
        database_url=_notebook_url(book.engine),
        params_dir=str(book.params_dir.resolve()),
        data_dir=str(book.data_dir.resolve()),
        language=language,
        confirm_deregistration=confirm_deregistration,
    )
    return run, values


def close(
    book: Workbook, run: Run, values: RunParameters, outcomes: list[StepOutcome]
) -> ImportResult:
    """Archive the run (unless a dry run) and end it with the status its steps decided. A
    step that failed because the database was gone is raised again, to be retried."""
    from leerlingimport.workbook.archive import archive_run

    status, counts, error = _outcome(book.engine, run, outcomes)
    archive = _archived(book.engine, run)  # a retried close does not archive twice
    if not run.dry_run and not archive:
        name = Path(values.input_path).name
        archive = str(archive_run(book, run, values, outcomes, status, counts, name))
    _end(book.engine, run, status, counts, error, archive)
    if error and outcomes[-1].error_type == DatabaseUnavailable.__name__:
        raise DatabaseUnavailable(error)
    return _result(book.engine, run, status, counts, archive or str(run.directory), error)


def _notebook_url(engine: Engine) -> str:
    """The database URL as the notebooks record it: a SQLite path made absolute (the kernels
    run in the notebooks' folder); a password never, whether in the URL's user part or its
    query (it reaches the kernels through the environment, which they inherit)."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        url = url.set(database=str(Path(url.database).resolve()))
    secret = url.password or url.query.get("password")
    if not secret:
        return url.render_as_string(hide_password=False)
    os.environ[PASSWORD_VARIABLE] = str(secret)
    url = url.difference_update_query(["password"]).set(password="***")
    return url.render_as_string(hide_password=False)


def run_step(
    book: Workbook,
    run: Run,
    values: RunParameters,
    step: Step,
    *,
    timeout: int = STEP_TIMEOUT,
    session: Kernel | None = None,
) -> StepOutcome:
    """One step's notebook, its status and timing recorded before and after."""
    started = dt.datetime.now(dt.UTC)
    with writing(book.engine) as conn:
        pk = conn.execute(
            insert(RunStep)
            .values(run_id=run.pk, step=step.name, status="running", started_at=started)
            .returning(RunStep.id)
        ).scalar_one()
    output = run.directory / "notebooks" / step.notebook
    output.parent.mkdir(mode=0o700, exist_ok=True)
    error, error_type = run_notebook(
        book.notebooks / step.notebook,
        values.for_step(step),
        output,
        timeout=timeout,
        session=session,
    )
    status = "ok" if error is None else "stopped" if _ended(book.engine, run) else "failed"
    finished = dt.datetime.now(dt.UTC)
    with writing(book.engine) as conn:
        conn.execute(
            update(RunStep)
            .where(RunStep.id == pk)
            .values(status=status, finished_at=finished, error=error)
        )
    outcome = StepOutcome(step.name, status, started, finished, output, error, error_type)
    log.info("import %s: stap %s %s (%.1f s)", run.run_id, step.name, status, outcome.seconds)
    return outcome


def run_notebook(
    notebook: Path,
    parameters: dict[str, Any],
    output: Path,
    *,
    timeout: int = STEP_TIMEOUT,
    session: Kernel | None = None,
) -> tuple[str | None, str | None]:
    """Execute ``notebook`` into ``output`` with ``parameters`` (in ``session``'s kernel, or
    one of its own); returns the error (a sentence for people) and its exception type, or
    ``(None, None)``. The output notebook is always written, with the error at its top."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    check_parameters(notebook, parameters)
    with ExitStack() as stack:
        session = session or stack.enter_context(kernel())
        try:
            session.run(
                papermill.execute_notebook,
                str(notebook),
                str(output),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(notebook.parent),
                execution_timeout=timeout,
                progress_bar=False,
            )
        except PapermillExecutionError as err:
            message = err.evalue if _ours(err.ename) else f"{err.ename}: {err.evalue}"
            _banner(notebook, output, message)
            return message, err.ename
        except Exception as err:  # a timeout, a dead kernel: papermill writes no banner
            message = _stopped(err, timeout)
            _banner(notebook, output, message)
            return message, type(err).__name__
    return None, None


def check_parameters(notebook: Path, given: dict[str, Any]) -> None:
    """Refuse to run a notebook with a parameter it does not declare or without one it does."""
    import papermill

    declared = set(papermill.inspect_notebook(str(notebook)))
    unknown, missing = sorted(set(given) - declared), sorted(declared - set(given))
    if unknown or missing:
        raise NotebookParameterError(
            f"{notebook.name}: onbekende parameters {unknown or '-'}, ontbrekende parameters "
            f"{missing or '-'}; notebook en runner horen dezelfde parameters te hebben."
        )


def _ours(name: str, cls: type[Exception] = LeerlingimportError) -> bool:
    """Whether an exception name is one of ours: its message is written for people."""
    subclasses: list[type[Exception]] = cls.__subclasses__()
    return cls.__name__ == name or any(_ours(name, sub) for sub in subclasses)


def _stopped(err: Exception, timeout: int) -> str:
    kind = type(err).__name__
    if kind == "CellTimeoutError":
        return f"De stap duurde langer dan {timeout} seconden en is afgebroken."
    if kind == "DeadKernelError":
        return "Het proces van de stap stopte onverwacht (afgebroken, of het geheugen was op)."
    return f"De stap kon niet worden uitgevoerd ({kind}: {err})."


def _banner(notebook: Path, output: Path, message: str) -> None:
    """Put the error at the top of the executed notebook (or of a copy of the template)."""
    nb = nbformat.read(output if output.exists() else notebook, as_version=4)
    text = html.escape(message).replace("\n", "<br>")
    cell = nbformat.v4.new_markdown_cell(
        f'<div style="color:#b00020; font-size:1.2em"><b>De import stopte bij deze stap:</b> '
        f"{text}</div>"
    )
    cell.metadata["tags"] = ["papermill-error-cell-tag"]
    nb.cells.insert(0, cell)
    nbformat.write(nb, output)


def _archived(engine: Engine, run: Run) -> str:
    with reading(engine) as conn:
        row = conn.execute(
            select(ImportRun.archive_path, ImportRun.archive_sha256).where(ImportRun.id == run.pk)
        ).one()
    return str(row.archive_path) if row.archive_sha256 else ""


def _counts(run: Run) -> dict[str, int]:
    """What the enroll step applied, when it did (a later step failed); else nothing."""
    if (run.directory / "enrolled.json").exists() and not run.dry_run:
        status, counts, _ = enrolled_counts(run)
        if status in ("applied", "held"):
            return counts
    return dict.fromkeys(COUNT_KEYS, 0)


def _ended(engine: Engine, run: Run) -> bool:
    with reading(engine) as conn:
        status = conn.scalar(select(ImportRun.status).where(ImportRun.id == run.pk))
    return status != "running"


def _outcome(
    engine: Engine, run: Run, outcomes: list[StepOutcome]
) -> tuple[str, dict[str, int], str | None]:
    """The run's status and counts, from what the steps wrote; a failed step's sentence."""
    last = outcomes[-1]
    if last.status == "failed":
        done = _counts(run)
        applied = " (de stap enroll was al toegepast; importeer het bestand opnieuw om af te maken)"
        note = applied if any(done.values()) else ""
        return "failed", done, f"Stap {last.step}: {last.error}{note}"
    if last.status == "stopped":
        with reading(engine) as conn:
            row = conn.execute(
                select(ImportRun.status, ImportRun.counts).where(ImportRun.id == run.pk)
            ).one()
        return str(row.status), dict(row.counts or rejected_counts(0)), None
    status, counts, _ = enrolled_counts(run)
    return status, counts, None


def _end(
    engine: Engine,
    run: Run,
    status: str,
    counts: dict[str, int],
    error: str | None,
    archive: str,
) -> None:
    with writing(engine) as conn:
        conn.execute(
            update(ImportRun)
            .where(ImportRun.id == run.pk)
            .values(archive_path=archive or str(run.directory))
        )
    if _ended(engine, run):  # a rejected file ended the run in its step
        return
    try:
        if error:
            fail_run(engine, run, error, counts)
        else:
            finish_run(engine, run, status, counts)
    except DatabaseUnavailable:
        log.warning("import %s: de database is weg; de run wordt later vrijgegeven", run.run_id)


def _result(
    engine: Engine,
    run: Run,
    status: str,
    counts: dict[str, int],
    archive: str,
    error: str | None,
) -> ImportResult:
    issues: list[Issue] = []
    if (run.directory / "checked.json").exists():
        issues = load_validated(run).issues
    if (run.directory / "enrolled.json").exists():
        issues += enrolled_counts(run)[2]
    with reading(engine) as conn:
        issued, listed = conn.execute(
            select(func.count(), func.max(Credential.otp_list)).where(
                Credential.otp_list.like(f"{run.run_id}/%")
            )
        ).one()
    path = str(run.directory.parent / listed) if listed else None
    return ImportResult(
        run.run_id, run.brin, run.dry_run, status, archive, counts, issues, issued, path, error
    )
