"""Start-up of the command line: ``leerlingimport --help`` (goal: under 0.5 s) and ``check``
of a small file (goal: under 1 s), as wall time (best and median of the runs) and as the CPU
time of the process (on a shared machine the CPU time is what the command costs; the wall time
waits for the others, and the best run is the nearest to a quiet machine). The load average is
printed with the figures. Find what loads with
``python -X importtime -m leerlingimport check FILE --school 99YY``; what `check` cannot do
without is pandas with pyarrow (about 0.45 s of CPU) and pydantic with the params' models
(about 0.1 s).
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).parents[1]
GOALS = {"help": 0.5, "check": 1.0}
SMALL = REPO / "data" / "samples" / "99YY_handmade_2026-2027.csv"


def run(runs: int = 5) -> dict[str, Any]:
    exe = shutil.which("leerlingimport", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "leerlingimport"]
    results = {
        "help": _timed([*command, "--help"], runs),
        "check": _timed([*command, "check", str(SMALL), "--school", "99YY"], runs),
    }
    print(f"load average {os.getloadavg()[0]:.2f}")
    for name, r in results.items():
        print(
            f"leerlingimport {name}: best {r['best_s'] * 1000:.0f} ms wall, median "
            f"{r['median_s'] * 1000:.0f} ms, max {r['max_s'] * 1000:.0f} ms, "
            f"{r['cpu_s'] * 1000:.0f} ms CPU over {runs} runs (goal: {GOALS[name] * 1000:.0f} ms)"
        )
    return results


def _timed(command: list[str], runs: int) -> dict[str, float]:
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True, cwd=REPO)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {
        "best_s": round(min(times), 3),
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "cpu_s": round(statistics.median(cpu), 3),
    }


if __name__ == "__main__":
    run()
