"""``python -m tests.inprocess_import DATABASE_URL DATA_DIR FILE BRIN [--confirm-deregistration]``:
one in-process ``run_import`` in a process of its own, printing ``import --json``'s object.

The crash-safety tests kill or slow this process at a named fault point; through the command
line the step would run in a notebook's kernel instead (the runner's own tests cover that)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from leerlingimport.db import make_engine
from leerlingimport.params import load_params
from leerlingimport.pipeline import run_import

from .conftest import REPO


def main(argv: list[str]) -> int:
    url, data_dir, file, brin, *extra = argv
    path = Path(file)
    result = run_import(
        make_engine(url),
        path.read_bytes(),
        path.name,
        load_params(REPO / "params"),
        brin,
        data_dir=Path(data_dir),
        confirm_deregistration="--confirm-deregistration" in extra,
    )
    print(json.dumps(result.as_json()))
    return result.exit_status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
