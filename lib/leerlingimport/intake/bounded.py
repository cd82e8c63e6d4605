"""Spreadsheet and EDEXML readers run in a child process under a memory and time cap.

The size a sheet declares or implies is an attacker's number: one cell at ``XFD1048576``, or an
ODS cell repeated 16,384 times over thousands of rows, makes a reader allocate gigabytes or
abort. So the reader runs in a child process (``python -m leerlingimport.intake.bounded``) with
an address-space limit and a CPU limit, and the parent waits a bounded time. A child that runs
out of memory, aborts or is killed becomes a clear refusal, never a crash of the caller.
The child imports only the reader, not pandas, so it starts in a few tens of milliseconds.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

from leerlingimport.intake.containers import Container, Refused

MEMORY_LIMIT = 480 * 2**20  # bytes of address space for the child
CPU_SECONDS = 30
WALL_SECONDS = 45


def read_bounded(data: bytes, container: Container) -> object:
    """What the reader of ``container`` returns (``sheets.read_grids``, or for EDEXML
    ``edexml.read_edexml``), read in a capped child process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEERLINGIMPORT_")}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "leerlingimport.intake.bounded", container],
            input=data,
            capture_output=True,
            timeout=WALL_SECONDS,
            env={**env, "PYTHONWARNINGS": "ignore"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise Refused(
            "sheet-too-large",
            (f"meer dan {WALL_SECONDS} seconden", f"more than {WALL_SECONDS} seconds"),
        ) from None
    if done.returncode != 0 or not done.stdout:
        raise Refused(
            "sheet-too-large",
            (
                "meer geheugen dan een leerlingbestand nodig heeft",
                "more memory than a pupil file needs",
            ),
        )
    kind, *payload = pickle.loads(done.stdout)  # our own child's output, never the file's
    if kind == "refused":
        code, detail, row, details = payload
        raise Refused(code, detail, row=row, **details)
    return payload[0]


def _child() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    from leerlingimport.intake.edexml import read_edexml
    from leerlingimport.intake.sheets import read_grids

    container = sys.argv[1]
    data = sys.stdin.buffer.read()
    try:
        read = read_edexml(data) if container == "edexml" else read_grids(data, container)  # type: ignore[arg-type]
        result: tuple[object, ...] = ("ok", read)
    except Refused as refused:
        result = ("refused", refused.code, refused.detail, refused.row, refused.details)
    except MemoryError:
        sys.exit(3)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    _child()
