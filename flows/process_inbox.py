"""The upload inbox: every school's newest upload checked (a dry run), the library mailed,
applied where the school allows it; several schools at a time, one run per school. The
yearly import is the same flow on a September schedule."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.task_runners import ThreadPoolTaskRunner

from leerlingimport.workbook.inbox import schools_without_upload, waiting
from leerlingimport.workbook.tasks import handle_school, run_name, workbook

TWO_AT_A_TIME: Any = ThreadPoolTaskRunner(max_workers=2)  # this machine has two cores


@flow(name="process-inbox", flow_run_name=run_name, task_runner=TWO_AT_A_TIME)
def process_inbox() -> dict[str, str]:
    """Handle every received upload; returns each school's outcome."""
    logger = get_run_logger()
    with workbook() as book:
        schools = waiting(book)
        total = len(schools)
        logger.info("Inbox: %d scholen met een nieuwe upload", total)
        progress = cast(UUID, create_progress_artifact(0.0, description="Scholen verwerkt"))
        futures = {b: handle_school.submit(book, b, uploads) for b, uploads in schools.items()}
        outcomes: dict[str, str] = {}
        for brin, future in futures.items():
            future.wait()
            outcomes[brin] = future.result().outcome if future.state.is_completed() else "failed"
            logger.info("%s: %s (%d van %d klaar)", brin, outcomes[brin], len(outcomes), total)
            update_progress_artifact(progress, 100.0 * len(outcomes) / total)
    if not total:
        update_progress_artifact(progress, 100.0)
    return outcomes


@flow(name="yearly-import", flow_run_name=run_name)
def yearly_import() -> dict[str, Any]:
    """September: every school's upload through the inbox, and which schools sent nothing."""
    outcomes = process_inbox()
    with workbook() as book:
        missing = schools_without_upload(book, dt.datetime.now(dt.UTC))
    if missing:
        get_run_logger().warning("Nog geen bestand van: %s", ", ".join(missing))
    return {"schools": outcomes, "without_upload": missing}
