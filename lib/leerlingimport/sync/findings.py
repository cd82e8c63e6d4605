"""What a plan tells people: skipped rows, links by personal data, transfers, leavers with
loans, duplicate keys and why a run is held, as issues with stable codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from leerlingimport.issues import Issue, Language, bounded, make_issue
from leerlingimport.params import SchoolParams
from leerlingimport.schema import SOURCE_ROW


@dataclass(frozen=True)
class Hold:
    """A threshold a run would cross: ``count`` of ``active`` pupils of school ``brin`` would
    leave it, by deregistration here or by transfer to this school."""

    brin: str
    count: int
    active: int
    kind: Literal["deregister", "transfer", "older"]


def plan_issues(
    rows: pd.DataFrame,
    deregister: pd.DataFrame,
    holds: Sequence[Hold],
    duplicates: Sequence[str],
    columns: dict[str, str],
    language: Language,
    *,
    wrong_school: tuple[int, int, SchoolParams] | None = None,
    foreign: tuple[int, int, SchoolParams] | None = None,
    applied_partly: bool = False,
) -> list[Issue]:
    issues = _skipped(rows, columns, language)
    if wrong_school is not None:
        mismatches, total, school = wrong_school
        issues.append(
            make_issue(
                "wrong-school-file",
                count=mismatches,
                rows=total,
                brin=school.brin,
                name=school.name,
                language=language,
            )
        )
        return issues
    linked = rows[(rows["matched_by"] == "personal_data") & (rows["action"] != "skip")]
    for r in _records(linked):
        issues.append(
            make_issue(
                "matched-by-personal-data",
                row=int(r[SOURCE_ROW]),
                customer=int(r["customer_id"]),
                language=language,
            )
        )
    if not holds:
        for r in _records(rows[rows["old_enrollment_id"].notna()]):
            issues.append(make_issue("transferred", row=int(r[SOURCE_ROW]), language=language))
    for d in _records(deregister[deregister["loans"] > 0]):
        issues.append(
            make_issue(
                "leaver-with-loans", card=d["card_number"], loans=int(d["loans"]), language=language
            )
        )
    if duplicates:
        issues.append(
            make_issue(
                "duplicate-student-key",
                keys=bounded(list(duplicates), 8, language),
                language=language,
            )
        )
    issues += [_hold_issue(h, language) for h in holds]
    if applied_partly:
        issues.append(make_issue("held-partly-applied", language=language))
    if foreign is not None:
        own, total, school = foreign
        issues.append(
            make_issue(
                "foreign-file-held",
                own=own,
                rows=total,
                brin=school.brin,
                name=school.name,
                language=language,
            )
        )
    return issues


def _skipped(rows: pd.DataFrame, columns: dict[str, str], language: Language) -> list[Issue]:
    issues = []
    for r in _records(rows[rows["skip"] != ""]):
        by_card = r["skip"] == "card-number-taken" or (
            r["skip"] == "identity-mismatch" and r["matched_by"] == "card"
        )
        column = columns.get("card_number" if by_card else "student_number")
        value = r["card_number"] if by_card else r["student_number"]
        issues.append(
            make_issue(
                str(r["skip"]),
                row=int(r[SOURCE_ROW]),
                column=column,
                value=value,
                card=r["owner_card"] or "?",
                other_row=r["owner_row"],
                language=language,
            )
        )
    return issues


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _hold_issue(hold: Hold, language: Language) -> Issue:
    code = {
        "deregister": "deregistration-held",
        "transfer": "transfers-held",
        "older": "older-file-held",
    }[hold.kind]
    return make_issue(code, count=hold.count, active=hold.active, brin=hold.brin, language=language)
