"""How fast does ``leerlingimport --help`` answer? (Goal: under half a second.)"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main(runs: int = 10) -> None:
    exe = shutil.which("leerlingimport", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "leerlingimport"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*command, "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    print(
        f"leerlingimport --help: median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {runs} runs"
    )


if __name__ == "__main__":
    main()
