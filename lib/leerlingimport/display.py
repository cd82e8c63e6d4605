"""Tables for people: what a notebook shows of a run's issues and plan.

Pseudonymous by default (``show_personal_data=False``): a pupil is their customer id and a
keyed hash of their student number, never a name or a birth date, so an archived notebook
holds no personal data. An analyst working interactively may ask for names.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from leerlingimport.artifacts import load_table
from leerlingimport.issues import Issue, in_order
from leerlingimport.runs import Run

NAME_COLUMNS = ["first_name", "prefix", "surname", "group_code"]


HIDDEN = "«verborgen»"


def issues_frame(issues: Iterable[Issue], *, show_personal_data: bool = False) -> pd.DataFrame:
    """The issues as a table, file-level first, then by row. A message quotes the cell it is
    about (a birth date, a name, an address): unless personal data may be shown, that value
    is hidden, so an archived notebook holds none; the row and column still say where."""
    rows = [
        {**i.as_dict(), "message": i.message if show_personal_data else _hidden(i)}
        for i in in_order(issues)
    ]
    columns = ["code", "severity", "row", "column", "message"]
    return pd.DataFrame(rows, columns=[*columns, "value"])[columns]


def _hidden(issue: Issue) -> str:
    value = (issue.value or "").strip()
    return issue.message.replace(value, HIDDEN) if len(value) > 1 else issue.message


def plan_frame(run: Run, *, show_personal_data: bool = False) -> pd.DataFrame:
    """What the enroll step decided for every row: action, how it matched, why it was
    skipped, the customer; with a pseudonym (or, when asked, the names) of the pupil."""
    plan = load_table(run.directory, "plan")
    checked = load_table(run.directory, "checked")[["source_row", "student_key", *NAME_COLUMNS]]
    table = plan.merge(checked, on="source_row", how="left")
    key = pseudonym_key(run.directory.parent.parent)
    table["pupil"] = table["student_key"].fillna("").map(lambda v: pseudonym(v, key))
    shown = ["source_row", "action", "matched_by", "skip", "customer_id", "pupil"]
    if show_personal_data:
        shown += NAME_COLUMNS
    return table[shown].sort_values("source_row", ignore_index=True)


def pseudonym(value: str, key: bytes) -> str:
    """A stable, keyed stand-in for a student number: the same pupil, the same pseudonym."""
    digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"ll-{digest[:10]}"


def pseudonym_key(data_dir: Path) -> bytes:
    """The installation's pseudonym key (``data_dir/pseudonym.key``, mode 0600), made once."""
    path = data_dir / "pseudonym.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
    return path.read_bytes()
