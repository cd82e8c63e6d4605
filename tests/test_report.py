"""The run report of a generated school's next school year, on SQLite and PostgreSQL."""

from __future__ import annotations

import collections
import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, insert, select

from leerlingimport import chart_changes, chart_year_groups, render_report, run_report
from leerlingimport.db import writing
from leerlingimport.db.tables import Card, Loan
from leerlingimport.params import Params
from leerlingimport.synthetic import exports, next_school_year

from .conftest import REPO
from .fixtures import PO, pupils
from .sync_helpers import NEXT_YEAR, customer_of, imp


def _lend(engine: Engine, customer: int, item: str, due: dt.date) -> str:
    with writing(engine) as conn:
        card, number = conn.execute(
            select(Card.id, Card.number).where(Card.customer_id == customer, Card.is_primary)
        ).one()
        conn.execute(insert(Loan).values(customer_id=customer, card_id=card, item=item, due_on=due))
    return str(number)


def test_next_school_year_report(engine: Engine, params: Params, tmp_path: Path) -> None:
    ps = pupils(48)
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    spec, then, _ = next_school_year(PO, ps, random.Random(5), 9001, newcomers=6)
    leavers = [p for p in ps if p.student_number not in {q.student_number for q in then}]
    due = dt.date(2027, 7, 15)
    lent = {
        _lend(engine, customer_of(engine, "99ZZ", p.student_number), f"Boek {i}", due): f"Boek {i}"
        for i, p in enumerate(leavers[:2])
    }
    data = exports.parnassys_csv(spec, then)

    dry = imp(engine, params, tmp_path, data, now=NEXT_YEAR, dry_run=True)
    planned = run_report(engine, dry.run_id, tmp_path)
    applied_result = imp(engine, params, tmp_path, data, now=NEXT_YEAR)
    report = run_report(engine, applied_result.run_id, tmp_path)

    before = collections.Counter(p.year_group for p in ps)
    after = collections.Counter(p.year_group for p in then)
    for shown in (planned, report):
        years = shown.year_groups
        assert years["before"].to_dict() == {y: before.get(y, 0) for y in years.index}
        assert years["after"].to_dict() == {y: after.get(y, 0) for y in years.index}
        assert set(years.index) == set(before) | set(after)
        loans = shown.leavers_with_loans
        assert dict(zip(loans["card_number"], loans["item"], strict=True)) == lent
        assert set(loans["due_on"]) == {due}
        assert "surname" not in loans.columns  # pseudonymous by default
        kinds = shown.changes.drop_duplicates(["kind", "pupil"])["kind"].value_counts()
        assert kinds["new"] == 6 and kinds["deregistered"] == len(leavers)
        assert shown.counts["deregistered"] == len(leavers)
    # The dry run shows who, not only how many: the same pupils as the apply wrote.
    assert _who(planned.changes) == _who(report.changes)
    updated = report.changes[report.changes["field"] == "year_group"]
    assert len(updated) == sum(
        1 for p in then if p.student_number in {q.student_number for q in ps}
    )
    assert report.previous_run is not None and planned.previous_run is not None
    assert report.file is not None and report.file.rows == len(then)

    text = render_report(report)
    for card, item in lent.items():
        assert card in text and item in text
    assert all(p.surname not in text for p in ps)
    named = run_report(engine, applied_result.run_id, tmp_path, show_personal_data=True)
    assert leavers[0].surname in render_report(named, "en")
    assert set(named.leavers_with_loans["surname"]) <= {p.surname for p in leavers}

    for chart in (chart_year_groups(report), chart_changes(report)):
        assert chart._repr_png_().startswith(b"\x89PNG")  # what a notebook embeds
    kinds = report.changes.drop_duplicates(["kind", "pupil"])["kind"].value_counts()
    widths = sorted(int(p.get_width()) for p in chart_changes(report).figure.axes[0].patches)
    assert widths == sorted(int(n) for n in kinds[kinds > 0])
    years = chart_year_groups(report).figure.axes[0].patches
    heights = [int(p.get_height()) for p in years]
    assert heights == [*report.year_groups["before"], *report.year_groups["after"]]


def _who(changes: object) -> set[tuple[str, str]]:
    frame = changes  # the kind and the pseudonym of every pupil changed
    return {(str(k), str(p)) for k, p in zip(frame["kind"], frame["pupil"], strict=True)}  # type: ignore[index]


def test_report_command_prints_text_and_json(
    engine: Engine, params: Params, tmp_path: Path, database_url: str
) -> None:
    ps = pupils(12)
    result = imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    base = [
        sys.executable,
        "-m",
        "leerlingimport",
        "--database-url",
        database_url,
        "--params-dir",
        str(REPO / "params"),
        "--data-dir",
        str(tmp_path),
        "report",
        result.run_id,
    ]
    out = subprocess.run([*base, "--json"], capture_output=True, text=True, check=True)
    shown = json.loads(out.stdout)
    assert shown["counts"] == result.counts and shown["status"] == "applied"
    assert {c["kind"] for c in shown["changes"]} == {"new"}
    text = subprocess.run(base, capture_output=True, text=True, check=True).stdout
    assert result.run_id in text and "nieuw" in text
    missing = subprocess.run([*base[:-1], "nope"], capture_output=True, text=True)
    assert missing.returncode == 1 and "bestaat niet" in missing.stderr


def test_held_and_rejected_runs_say_what_needs_a_person(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    ps = pupils(40)
    imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps))
    held = imp(engine, params, tmp_path, exports.parnassys_csv(PO, ps[:20]), now=NEXT_YEAR)
    report = run_report(engine, held.run_id, tmp_path)
    assert report.status == "held" and report.needs_attention
    assert [(h["kind"], h["count"], h["active"]) for h in report.holds] == [("deregister", 20, 40)]
    assert list(report.held_pupils["held"]) == ["deregister"] * 20
    assert set(report.held_pupils["customer_id"]) == {
        customer_of(engine, "99ZZ", p.student_number) for p in ps[20:]
    }
    assert report.year_groups["after"].sum() == report.year_groups["before"].sum() == 40
    assert "deregistered" not in set(report.changes["kind"])  # held back, not done
    assert "Aangehouden" in render_report(report)

    rejected = imp(engine, params, tmp_path, b"LEERLINGNUMMER;ACHTERNAAM\n1;Jansen\n")
    empty = run_report(engine, rejected.run_id, tmp_path)
    assert empty.status == "rejected" and empty.changes.empty and empty.year_groups.empty
    assert empty.file is not None and empty.file.name == "leerlingen.csv"
    text = render_report(empty)
    assert "GEWEIGERD" in text and "kolomnamen" in text  # why, in the school's words


def test_a_run_reported_before_it_ends_is_what_its_steps_did(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    """The workbook's report notebook runs before the run is finished."""
    from leerlingimport import (
        deregister,
        enroll,
        finish_run,
        ingest_step,
        issue_passwords,
        start_run,
        validate_step,
    )

    data = exports.parnassys_csv(PO, pupils(10))
    run = start_run(engine, params, "99ZZ", data_dir=tmp_path, data=data)
    ingest_step(run, data, "leerlingen.csv")
    validate_step(run, params)
    enrolled = enroll(engine, run, params)
    issue_passwords(engine, run)
    deregister(engine, run, params)
    report = run_report(engine, run.run_id, tmp_path)
    assert report.status == "applied" and report.counts == enrolled.counts
    assert len(report.changes) == 10 and set(report.changes["kind"]) == {"new"}
    assert report.year_groups["after"].sum() == 10
    assert report.changes_per_group["new"].sum() == 10
    finish_run(engine, run, enrolled.status, enrolled.counts)
