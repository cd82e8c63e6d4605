"""Named fault points, so the crash-safety tests can stop an import at a chosen step.

A process whose ``LEERLINGIMPORT_KILL_AT`` names a point sends itself SIGKILL there: no
cleanup, no rollback by Python, exactly like a power cut. ``LEERLINGIMPORT_SLOW_AT`` makes it
wait there instead (``LEERLINGIMPORT_SLOW_SECONDS``, default 2), so two imports overlap, and
``LEERLINGIMPORT_FAIL_AT`` raises an unexpected error there (a bug, as the runner sees it).
All are unset in normal use.
"""

from __future__ import annotations

import os
import signal
import time


def fault_point(name: str) -> None:
    if os.environ.get("LEERLINGIMPORT_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("LEERLINGIMPORT_FAIL_AT") == name:
        raise RuntimeError(f"fault injected at {name}")
    if os.environ.get("LEERLINGIMPORT_SLOW_AT") == name:
        time.sleep(float(os.environ.get("LEERLINGIMPORT_SLOW_SECONDS", "2")))
