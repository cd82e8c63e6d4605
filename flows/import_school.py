"""One school, one file: start the run, the five notebooks, archive, finish."""

from __future__ import annotations

from typing import Any

from prefect import flow

from leerlingimport.errors import LeerlingimportError
from leerlingimport.workbook import STEPS, kernel
from leerlingimport.workbook.runner import abandon
from leerlingimport.workbook.tasks import begin, close, run_name, run_step, workbook


@flow(name="import-school", flow_run_name=run_name, log_prints=True)
def import_school(
    school: str, file: str, dry_run: bool = False, confirm_deregistration: bool = False
) -> dict[str, Any]:
    """Import ``file`` for school ``school`` (its BRIN) through the workbook."""
    with workbook() as book, kernel() as session:
        run, values = begin(book, school, file, dry_run, confirm_deregistration)
        outcomes = []
        try:
            for step in STEPS:
                outcomes.append(run_step(book, run, values, step, session))
                if outcomes[-1].status != "ok":
                    break  # a failed or rejecting step stops the run; what ran is archived
            result = close(book, run, values, outcomes)
        except BaseException as err:  # retries spent, or the runner itself failed
            abandon(book, run, err)
            raise
    if result.status == "failed":
        raise LeerlingimportError(f"Import {result.run_id} is mislukt: {result.error}")
    return result.as_json()
