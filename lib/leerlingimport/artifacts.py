"""The run directory, ``var/runs/<run_id>/`` (mode 0700): what each step hands the next.

Tables are Parquet, small things JSON. A file that holds one-time passwords is written to a
temporary name and renamed when complete, with mode 0600: it is the only place the plain
passwords ever exist, and it never appears in a return value, a log or a notebook.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd


def run_directory(data_dir: Path, run_id: str) -> Path:
    """The run's directory, made with mode 0700 when missing."""
    directory = data_dir / "runs" / run_id
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory.chmod(0o700)
    return directory


def save_table(directory: Path, name: str, frame: pd.DataFrame) -> Path:
    path = directory / f"{name}.parquet"
    _atomic(path, lambda tmp: frame.to_parquet(tmp, index=False), 0o600)
    return path


def load_table(directory: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(directory / f"{name}.parquet")


def save_json(directory: Path, name: str, value: Any) -> Path:
    path = directory / f"{name}.json"
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    _atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), 0o600)
    return path


def load_json(directory: Path, name: str) -> Any:
    return json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))


def write_secret(path: Path, write: Callable[[Path], object]) -> Path:
    """Write a file of one-time passwords completely, then give it its name (mode 0600)."""
    _atomic(path, write, 0o600)
    return path


def _atomic(path: Path, write: Callable[[Path], object], mode: int) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
