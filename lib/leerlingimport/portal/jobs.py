"""The command line in a child process: the web process never parses a school's file (UPL-06).

``check`` runs under an address-space, CPU-time and wall-clock limit, so a hostile file can cost
one child process at most. ``import`` (a dry run or the real one) runs the same command staff
would type, which goes through the workbook's runner.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leerlingimport.settings import Settings

CHECK_MEMORY = 2**30  # bytes of address space (UPL-06: 1 GiB)
CHECK_CPU_SECONDS = 60
CHECK_WALL_SECONDS = 90
IMPORT_WALL_SECONDS = 30 * 60


@dataclass(frozen=True)
class Outcome:
    """What a command printed as JSON (``None`` when it printed none) and its exit status."""

    result: dict[str, Any] | None
    status: int
    problem: str | None = None  # for people, when there is no result


def run_check(settings: Settings, path: Path, brin: str) -> Outcome:
    """``leerlingimport check PATH --school BRIN --json``, resource-limited."""
    limits = [
        "-m",
        "leerlingimport.portal.limited",
        str(CHECK_MEMORY),
        str(CHECK_CPU_SECONDS),
        "--",
    ]
    args = ["check", str(path), "--school", brin, "--json"]
    return _run(settings, args, CHECK_WALL_SECONDS, limits)


def run_import(settings: Settings, path: Path, brin: str, *, dry_run: bool) -> Outcome:
    """``leerlingimport import PATH --school BRIN [--dry-run] --json``."""
    args = ["import", str(path), "--school", brin, "--json", *(["--dry-run"] if dry_run else [])]
    return _run(settings, args, IMPORT_WALL_SECONDS, ["-m", "leerlingimport"])


def _run(settings: Settings, args: list[str], timeout: int, program: list[str]) -> Outcome:
    command = [
        sys.executable,
        *program,
        "--database-url",
        settings.database_url,
        "--params-dir",
        str(settings.params_dir),
        "--data-dir",
        str(settings.data_dir),
        *args,
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=timeout,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(None, -1, f"Dit duurde langer dan {timeout} seconden en is gestopt.")
    try:
        result = json.loads(done.stdout)
    except ValueError:
        result = None
    if isinstance(result, dict):
        return Outcome(result, done.returncode)
    said = done.stderr.decode("utf-8", "replace").strip().splitlines()
    ours = (
        said[-1].removeprefix("leerlingimport: ")
        if said and said[-1].startswith("leerlingimport: ")
        else None
    )
    if done.returncode < 0 or ours is None:  # killed, out of memory, or not our words
        ours = "Het bestand vroeg meer geheugen of rekentijd dan een leerlingbestand nodig heeft."
    return Outcome(None, done.returncode, ours[:500])
