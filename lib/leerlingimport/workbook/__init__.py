"""The workbook: the step notebooks' helpers, the papermill runner and the audit archive."""

from leerlingimport.workbook.archive import archive_run, verify_archive
from leerlingimport.workbook.book import (
    Workbook,
    check_summary,
    counts_frame,
    file_facts,
    open_workbook,
)
from leerlingimport.workbook.kernel import Kernel, kernel
from leerlingimport.workbook.runner import STEPS, RunParameters, run_notebook, run_workbook

__all__ = [
    "STEPS",
    "Kernel",
    "RunParameters",
    "Workbook",
    "archive_run",
    "check_summary",
    "counts_frame",
    "file_facts",
    "kernel",
    "open_workbook",
    "run_notebook",
    "run_workbook",
    "verify_archive",
]
