"""Named fault points, so the crash-safety tests can kill an import at a chosen step.

A process whose ``LEERLINGIMPORT_KILL_AT`` names a point sends itself SIGKILL there: no
cleanup, no rollback by Python, exactly like a power cut. Unset in normal use.
"""

from __future__ import annotations

import os
import signal


def fault_point(name: str) -> None:
    if os.environ.get("LEERLINGIMPORT_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
