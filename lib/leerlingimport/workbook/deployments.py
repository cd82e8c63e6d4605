"""``leerlingimport serve``: the flows of ``flows/`` as deployments served by this process.

The same deployments are in ``prefect.yaml`` for a Prefect server with workers on several
machines (README, operator's guide). Schedules are the library's local time.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from leerlingimport.settings import Settings
from leerlingimport.workbook.book import NOTEBOOKS

SEPTEMBER = "0 6 1 9 *"  # the yearly import: 1 September, 06:00
NIGHTLY = "30 3 * * *"  # retention: every night at 03:30
INBOX_EVERY = dt.timedelta(minutes=15)


def deployments(timezone: str) -> list[Any]:
    """The four deployments (import one school on request, the inbox, September, purge)."""
    from prefect.schedules import Cron, Interval

    sys.path.insert(0, str(NOTEBOOKS.parent))  # the project root, where flows/ lives
    from flows.import_school import import_school
    from flows.process_inbox import process_inbox, yearly_import
    from flows.purge import purge_expired

    return [
        import_school.to_deployment(name="manual"),
        process_inbox.to_deployment(name="inbox", schedule=Interval(INBOX_EVERY)),
        yearly_import.to_deployment(name="september", schedule=Cron(SEPTEMBER, timezone=timezone)),
        purge_expired.to_deployment(name="nightly", schedule=Cron(NIGHTLY, timezone=timezone)),
    ]


def serve_deployments(settings: Settings) -> None:
    from prefect import serve

    from leerlingimport.params import load_params

    timezone = load_params(settings.params_dir).library.timezone
    serve(*deployments(timezone), pause_on_shutdown=False)
