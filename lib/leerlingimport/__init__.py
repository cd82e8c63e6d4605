"""leerlingimport: the yearly school pupil import of a Dutch public library.

The public API, for notebooks, flows and sessions. Names load on first use (PEP 562), so
``import leerlingimport`` and the command line stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "CheckResult": "leerlingimport.checking",
    "ImportResult": "leerlingimport.pipeline",
    "Ingested": "leerlingimport.intake",
    "Issue": "leerlingimport.issues",
    "LeerlingimportError": "leerlingimport.errors",
    "Params": "leerlingimport.params",
    "SchoolParams": "leerlingimport.params",
    "Settings": "leerlingimport.settings",
    "Validated": "leerlingimport.validation",
    "check_file": "leerlingimport.checking",
    "ingest": "leerlingimport.intake",
    "load_params": "leerlingimport.params",
    "make_engine": "leerlingimport.db",
    "run_import": "leerlingimport.pipeline",
    "validate": "leerlingimport.validation",
    # The workbook's steps over one run directory, and the run they belong to.
    "Run": "leerlingimport.runs",
    "start_run": "leerlingimport.runs",
    "load_run": "leerlingimport.runs",
    "finish_run": "leerlingimport.runs",
    "fail_run": "leerlingimport.runs",
    "release_run": "leerlingimport.runs",
    "ingest_step": "leerlingimport.steps",
    "validate_step": "leerlingimport.steps",
    "raise_for_rejection": "leerlingimport.steps",
    "enroll": "leerlingimport.steps",
    "issue_passwords": "leerlingimport.passwords",
    "deregister": "leerlingimport.steps",
    # What a notebook shows: pseudonymous unless asked.
    "issues_frame": "leerlingimport.display",
    "plan_frame": "leerlingimport.display",
    # The workbook: what the step notebooks call, the runner and the archive.
    "Workbook": "leerlingimport.workbook",
    "check_summary": "leerlingimport.workbook",
    "counts_frame": "leerlingimport.workbook",
    "file_facts": "leerlingimport.workbook",
    "open_workbook": "leerlingimport.workbook",
    "run_workbook": "leerlingimport.workbook",
    "verify_archive": "leerlingimport.workbook",
    # What happened in a run, for people: the report, its text and charts; the school's list.
    "RunReport": "leerlingimport.reports",
    "run_report": "leerlingimport.reports",
    "render_report": "leerlingimport.reports",
    "chart_year_groups": "leerlingimport.reports",
    "chart_changes": "leerlingimport.reports",
    "read_school_list": "leerlingimport.printable",
}

__all__ = [
    "CheckResult",
    "ImportResult",
    "Ingested",
    "Issue",
    "LeerlingimportError",
    "Params",
    "Run",
    "RunReport",
    "SchoolParams",
    "Settings",
    "Validated",
    "Workbook",
    "chart_changes",
    "chart_year_groups",
    "check_file",
    "check_summary",
    "counts_frame",
    "deregister",
    "enroll",
    "fail_run",
    "file_facts",
    "finish_run",
    "ingest",
    "ingest_step",
    "issue_passwords",
    "issues_frame",
    "load_params",
    "load_run",
    "make_engine",
    "open_workbook",
    "plan_frame",
    "raise_for_rejection",
    "read_school_list",
    "release_run",
    "render_report",
    "run_import",
    "run_report",
    "run_workbook",
    "start_run",
    "validate",
    "validate_step",
    "verify_archive",
]

if TYPE_CHECKING:
    from leerlingimport.checking import CheckResult, check_file
    from leerlingimport.db import make_engine
    from leerlingimport.display import issues_frame, plan_frame
    from leerlingimport.errors import LeerlingimportError
    from leerlingimport.intake import Ingested, ingest
    from leerlingimport.issues import Issue
    from leerlingimport.params import Params, SchoolParams, load_params
    from leerlingimport.passwords import issue_passwords
    from leerlingimport.pipeline import ImportResult, run_import
    from leerlingimport.printable import read_school_list
    from leerlingimport.reports import (
        RunReport,
        chart_changes,
        chart_year_groups,
        render_report,
        run_report,
    )
    from leerlingimport.runs import Run, fail_run, finish_run, load_run, release_run, start_run
    from leerlingimport.settings import Settings
    from leerlingimport.steps import (
        deregister,
        enroll,
        ingest_step,
        raise_for_rejection,
        validate_step,
    )
    from leerlingimport.validation import Validated, validate
    from leerlingimport.workbook import (
        Workbook,
        check_summary,
        counts_frame,
        file_facts,
        open_workbook,
        run_workbook,
        verify_archive,
    )


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'leerlingimport' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
