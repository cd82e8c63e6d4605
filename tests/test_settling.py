"""Settling by hand (SQLite and PostgreSQL): find a customer, link an ambiguous row so the next
import matches it by student number, add a library subscription, revoke an upload permission."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from leerlingimport.artifacts import load_table
from leerlingimport.cli import main
from leerlingimport.db import reading
from leerlingimport.db.tables import Card, Enrollment, UploadPermission
from leerlingimport.params import Params
from leerlingimport.synthetic import exports

from .conftest import REPO
from .fixtures import PO, WISE_HEADER, csv_bytes, pupils, wise_rows
from .sync_helpers import customer_of, enrollments, imp, subscriptions_of
from .test_sync_scenarios import YY


@pytest.fixture
def cli(engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEERLINGIMPORT_DATABASE_URL", database_url)
    monkeypatch.setenv("LEERLINGIMPORT_PARAMS_DIR", str(REPO / "params"))
    monkeypatch.setenv("LEERLINGIMPORT_DATA_DIR", str(tmp_path))
    return tmp_path


def _card(engine: Engine, customer: int) -> str:
    with reading(engine) as conn:
        return str(
            conn.scalar(
                select(Card.number).where(
                    Card.customer_id == customer, Card.is_primary, Card.status == "active"
                )
            )
        )


def test_an_ambiguous_row_linked_by_hand_is_matched_by_student_number_next_time(
    engine: Engine, params: Params, cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ps = pupils(6)
    imp(engine, params, cli, exports.parnassys_csv(PO, ps))
    sibling = customer_of(engine, "99ZZ", ps[0].student_number)
    twin = dataclasses.replace(ps[0], student_number="009999", first_name="Mees")
    others = pupils(4, YY, seed=9)
    imp(engine, params, cli, exports.parnassys_csv(YY, [*others, twin]), brin="99YY")
    unsure = wise_rows([dataclasses.replace(ps[0], student_number="008888")])[0]
    unsure[5] = ""  # no first name: either twin
    data = csv_bytes(WISE_HEADER, [*wise_rows(others), unsure])
    skipped = imp(engine, params, cli, data, brin="99YY")
    assert [i.row for i in skipped.issues if i.code == "ambiguous-match"] == [6]

    capsys.readouterr()
    assert main(["report", skipped.run_id, "--json"]) == 0
    candidates = json.loads(capsys.readouterr().out)["ambiguous"]
    assert {c["candidate"] for c in candidates} == {
        sibling,
        customer_of(engine, "99YY", "009999"),
    } and {c["row"] for c in candidates} == {6}

    wrong = _card(engine, customer_of(engine, "99YY", others[0].student_number))
    assert main(["customer", "link", skipped.run_id, "--row", "6", "--card", wrong]) == 1
    assert "niet de naam en geboortedatum" in capsys.readouterr().err
    assert main(["customer", "link", skipped.run_id, "--row", "2", "--card", wrong]) == 1
    assert "geen rij met meerdere mogelijke klanten" in capsys.readouterr().err
    card = _card(engine, sibling)
    assert main(["customer", "link", skipped.run_id, "--row", "6", "--card", card]) == 0
    assert "is nu gekoppeld" in capsys.readouterr().out
    assert main(["customer", "link", skipped.run_id, "--row", "6", "--card", card]) == 0
    assert "was al gekoppeld" in capsys.readouterr().out  # again: nothing more

    settled = imp(engine, params, cli, data, brin="99YY")
    plan = load_table(Path(settled.archive), "plan")
    row = plan[plan["source_row"] == 6].iloc[0]
    assert row["matched_by"] == "student_number" and row["skip"] == ""
    assert int(row["customer_id"]) == sibling
    assert settled.counts["rejected"] == 0
    assert enrollments(engine, "99YY")["008888"] == "active"
    assert enrollments(engine, "99ZZ")[ps[0].student_number] == "deregistered"  # moved
    assert ("school_library", "active") in subscriptions_of(engine, sibling)


def test_find_add_subscription_and_revoke_upload(
    engine: Engine, params: Params, cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ps = pupils(6)
    imp(engine, params, cli, exports.parnassys_csv(YY, ps), brin="99YY")  # no library members
    pupil = ps[2]
    customer = customer_of(engine, "99YY", pupil.student_number)
    card = _card(engine, customer)
    capsys.readouterr()
    surname = f"{pupil.prefix} {pupil.surname}".strip().upper()
    birth = pupil.birth_date.strftime("%d-%m-%Y")
    assert main(["customer", "find", "--name", surname, "--birth-date", birth, "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [f["customer_id"] for f in found] == [customer]
    assert found[0]["card_number"] == card and found[0]["school"] == "99YY"
    assert main(["customer", "find", "--card", card]) == 0
    assert pupil.surname in capsys.readouterr().out
    assert main(["customer", "find", "--email", "niemand@example.org"]) == 1
    assert "Geen klant gevonden" in capsys.readouterr().out

    assert ("library", "active") not in subscriptions_of(engine, customer)
    assert main(["customer", "add-subscription", card]) == 0
    assert "is nu lid" in capsys.readouterr().out
    assert main(["customer", "add-subscription", card]) == 0
    assert "was al lid" in capsys.readouterr().out
    assert subscriptions_of(engine, customer).count(("library", "active")) == 1

    assert main(["customer", "grant-upload", card, "--branch", "0101"]) == 0
    assert main(["customer", "revoke-upload", card, "--branch", "0101"]) == 0
    assert "mag niet meer" in capsys.readouterr().out
    assert main(["customer", "revoke-upload", card, "--branch", "0101"]) == 0
    assert "mocht al niet" in capsys.readouterr().out
    with reading(engine) as conn:
        assert conn.scalar(select(UploadPermission.id)) is None
        assert conn.scalar(select(Enrollment.id).where(Enrollment.customer_id == customer))
