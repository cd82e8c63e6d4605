"""What the step notebooks call: one object that opens the database, the params and the data
directory, and runs a step of a run. The notebooks hold no logic; this module holds the little
they need beyond the steps themselves (starting or finding the run, the file's checksum, a
rejected file ending the run, the tables they show).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

from leerlingimport.db import make_engine, reading
from leerlingimport.db.migrate import current_revision, head_revision
from leerlingimport.db.tables import ImportRun, School
from leerlingimport.errors import ConfigError, InputFileError, NotFound
from leerlingimport.intake import Ingested
from leerlingimport.issues import Language
from leerlingimport.params import Params, load_params
from leerlingimport.passwords import Issued, issue_passwords
from leerlingimport.reporting import count_labels
from leerlingimport.runs import Run, finish_run, load_run, start_run
from leerlingimport.settings import Settings
from leerlingimport.steps import (
    Enrolled,
    deregister,
    enroll,
    enrolled_counts,
    ingest_step,
    rejected_counts,
    validate_step,
)
from leerlingimport.validation import Validated

# The database password of a run's notebooks: never a parameter (those are archived).
PASSWORD_VARIABLE = "LEERLINGIMPORT_DATABASE_PASSWORD"
NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"


@dataclass(frozen=True)
class Workbook:
    """The database, params and data directory that a notebook's steps work on."""

    engine: Engine
    params: Params
    data_dir: Path
    params_dir: Path = Path("params")
    notebooks: Path = NOTEBOOKS

    def open_run(
        self, run_id: str, *, school: str, input_path: str = "", dry_run: bool = True
    ) -> Run:
        """The run ``run_id``; without one, the school's running run, or (given a file) a new
        run of the school: the runner always passes the run it started."""
        if run_id:
            return load_run(self.engine, run_id, self.data_dir)
        if input_path:
            data = Path(input_path).read_bytes()
            return start_run(
                self.engine, self.params, school, data_dir=self.data_dir, data=data, dry_run=dry_run
            )
        return load_run(self.engine, self._running(school), self.data_dir)

    def ingest(self, run: Run, input_path: str, *, language: Language = "nl") -> Ingested:
        """Step 1 on the run's own file: a file that changed since the run started is refused."""
        path = Path(input_path)
        try:
            data = path.read_bytes()
        except OSError as err:
            raise InputFileError(
                f"{path.name} is niet meer te lezen ({err.strerror}); is het verplaatst of "
                f"verwijderd sinds import {run.run_id} begon? Begin een nieuwe import."
            ) from err
        with reading(self.engine) as conn:
            sha = conn.scalar(select(ImportRun.input_sha256).where(ImportRun.id == run.pk))
        if sha is not None and hashlib.sha256(data).hexdigest() != sha:
            raise InputFileError(
                f"{path.name} is veranderd sinds import {run.run_id} begon; begin een nieuwe "
                "import met het bestand zoals het nu is."
            )
        return ingest_step(run, data, path.name, language=language)

    def validate(self, run: Run, *, language: Language = "nl") -> Validated:
        """Step 2; a file rejected as a whole ends the run as ``rejected`` (nothing changed)."""
        checked = validate_step(run, self.params, language=language)
        if checked.rejected:
            finish_run(self.engine, run, "rejected", rejected_counts(len(checked.table)))
        return checked

    def enroll(
        self, run: Run, *, confirm_deregistration: bool = False, language: Language = "nl"
    ) -> Enrolled:
        """Step 3: plan, and apply unless a dry run or held whole."""
        return enroll(
            self.engine, run, self.params, confirm=confirm_deregistration, language=language
        )

    def issue_passwords(self, run: Run) -> Issued:
        """New pupils' one-time passwords: the printable list, then their hashes."""
        return issue_passwords(self.engine, run)

    def deregister(self, run: Run) -> int:
        """Step 4: the leavers, unless the run is held, rejected or a dry run."""
        return deregister(self.engine, run, self.params)

    def finish(self, run: Run, *, finish: bool = True) -> str:
        """End the run with the status the enroll step decided (when ``finish``; the runner
        ends it itself after archiving); returns that status."""
        status, counts, _ = enrolled_counts(run)
        if finish:
            finish_run(self.engine, run, status, counts)
        return status

    def _running(self, school: str) -> str:
        with reading(self.engine) as conn:
            run_id = conn.scalar(
                select(ImportRun.run_id)
                .join(School, School.id == ImportRun.school_id)
                .where(School.brin == school.upper(), ImportRun.status == "running")
            )
        if run_id is None:
            raise NotFound(
                f"School {school} heeft geen lopende import; begin er een in 01_ingest, of geef "
                "run_id op."
            )
        return str(run_id)


def open_workbook(database_url: str, params_dir: str, data_dir: str) -> Workbook:
    """The database (``""``: the SQLite database in ``data_dir``), params and data directory
    of a notebook; the database must be set up (``leerlingimport init`` or ``make demo``)."""
    settings = Settings().with_overrides(data_dir=data_dir, params_dir=params_dir)
    url = database_url or settings.database_url
    engine = make_engine(_with_password(url))
    if current_revision(engine) != head_revision():
        raise ConfigError(
            f"De database {_where(engine)} is niet (bij)gewerkt; draai eerst `leerlingimport "
            "init` met dezelfde instellingen (of `make demo` voor de demo)."
        )
    params = load_params(settings.params_dir)
    return Workbook(engine, params, settings.data_dir, settings.params_dir)


def counts_frame(counts: dict[str, int], status: str = "applied") -> pd.DataFrame:
    """The counts of a run as a table of Dutch labels."""
    labels = count_labels(status)
    return pd.DataFrame(
        {"aantal": [counts[k] for k in labels]}, index=pd.Index(list(labels.values()), name="")
    )


def check_summary(checked: Validated) -> pd.DataFrame:
    """How many rows the checks passed, skipped and why, and whether the file is rejected."""
    issues = pd.DataFrame([i.as_dict() for i in checked.issues], columns=["severity", "row"])
    rows = issues.dropna(subset=["row"])
    facts = {
        "rijen": len(checked.table),
        "goedgekeurde rijen": len(checked.valid),
        "overgeslagen rijen": rows.loc[rows["severity"] == "error", "row"].nunique(),
        "fouten": int((issues["severity"] == "error").sum()),
        "waarschuwingen": int((issues["severity"] == "warning").sum()),
        "bestand geweigerd": "ja" if checked.rejected else "nee",
    }
    return pd.DataFrame({"": [str(v) for v in facts.values()]}, index=list(facts))


def file_facts(ingested: Ingested) -> pd.DataFrame:
    """What ingest found out about the file: format, columns kept and dropped, rows."""
    fmt = ingested.format
    facts = {
        "soort bestand": fmt.container,
        "tekenset": fmt.encoding or "",
        "scheidingsteken": fmt.delimiter or "",
        "werkblad": fmt.sheet or "",
        "kopregel": fmt.header_row,
        "rijen": len(ingested.table),
        "kolommen": ", ".join(f"{k} ← {v}" for k, v in ingested.columns.items()),
        "weggelaten kolommen": ", ".join(ingested.dropped_columns),
    }
    return pd.DataFrame({"": [str(v) for v in facts.values()]}, index=list(facts))


def _with_password(url: str) -> str:
    """A URL whose password the runner masked gets it back from the environment."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.password == "***" and PASSWORD_VARIABLE in os.environ:
        return parsed.set(password=os.environ[PASSWORD_VARIABLE]).render_as_string(False)
    return url


def _where(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return str(engine.url.database)
    return engine.url.render_as_string(hide_password=True)
