"""Staff settle an ambiguous match on a run's page (SQLite and PostgreSQL): the web
equivalent of ``leerlingimport customer link``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from leerlingimport.artifacts import load_table
from leerlingimport.db import reading
from leerlingimport.db.tables import Card, PortalEvent
from leerlingimport.params import Params
from leerlingimport.settings import Settings
from leerlingimport.synthetic import exports

from ..fixtures import PO, WISE_HEADER, csv_bytes, pupils, wise_rows
from ..sync_helpers import customer_of, enrollments, imp
from ..test_sync_scenarios import YY
from .conftest import logged_in, register, token


def _card(db: Engine, customer: int) -> str:
    with reading(db) as conn:
        return str(
            conn.scalar(
                select(Card.number).where(
                    Card.customer_id == customer, Card.is_primary, Card.status == "active"
                )
            )
        )


@pytest.fixture
def unsure(db: Engine, params: Params, settings: Settings) -> tuple[str, bytes, int, int]:
    """A run of school 99YY whose row 6 fits two customers (twins without a first name):
    the run's id, the file, and the two candidates (the right one first)."""
    ps = pupils(6)
    imp(db, params, settings.data_dir, exports.parnassys_csv(PO, ps))
    sibling = customer_of(db, "99ZZ", ps[0].student_number)
    twin = dataclasses.replace(ps[0], student_number="009999", first_name="Mees")
    others = pupils(4, YY, seed=9)
    imp(db, params, settings.data_dir, exports.parnassys_csv(YY, [*others, twin]), brin="99YY")
    row = wise_rows([dataclasses.replace(ps[0], student_number="008888")])[0]
    row[5] = ""  # no first name: either twin
    data = csv_bytes(WISE_HEADER, [*wise_rows(others), row])
    skipped = imp(db, params, settings.data_dir, data, brin="99YY")
    assert [i.row for i in skipped.issues if i.code == "ambiguous-match"] == [6]
    return skipped.run_id, data, sibling, customer_of(db, "99YY", "009999")


def test_staff_link_an_ambiguous_row_and_the_next_import_matches_it(
    client: FlaskClient,
    db: Engine,
    params: Params,
    settings: Settings,
    unsure: tuple[str, bytes, int, int],
) -> None:
    run_id, data, sibling, twin = unsure
    staff = register(db, params, surname="Medewerker", staff=True)
    logged_in(client, staff)
    url = f"/medewerker/runs/{run_id}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Twijfelgevallen" in page.text and "Rij 6" in page.text
    right, other = _card(db, sibling), _card(db, twin)
    assert right in page.text and other in page.text
    assert page.text.count("Koppel aan deze klant") == 2

    wrong = _card(db, customer_of(db, "99YY", pupils(4, YY, seed=9)[0].student_number))
    refused = client.post(url, data={"csrf_token": token(client, url), "row": 6, "card": wrong})
    assert refused.status_code == 200 and "niet de naam en geboortedatum" in refused.text
    not_ambiguous = client.post(
        url, data={"csrf_token": token(client, url), "row": 2, "card": right}
    )
    assert "geen rij met meerdere mogelijke klanten" in not_ambiguous.text

    done = client.post(url, data={"csrf_token": token(client, url), "row": 6, "card": right})
    assert done.status_code == 303
    shown = client.get(done.location).text
    assert "Rij 6 wordt bij de volgende import van de school (99YY) gekoppeld" in shown
    assert f"pasnummer {right}." in shown
    assert "gekoppeld</strong>" in shown and shown.count("Koppel aan deze klant") == 1
    again = client.post(url, data={"csrf_token": token(client, url), "row": 6, "card": right})
    assert "Rij 6 was al gekoppeld" in client.get(again.location).text
    taken = client.post(url, data={"csrf_token": token(client, url), "row": 6, "card": other})
    assert taken.status_code == 200 and "al bij een andere klant" in taken.text
    with reading(db) as conn:
        logged = conn.execute(
            select(PortalEvent.customer_id, PortalEvent.detail)
            .where(PortalEvent.event == "row-linked")
            .order_by(PortalEvent.id)
        ).all()
    assert [(c, d["run"], d["row"], d["customer"], d["new"]) for c, d in logged] == [
        (staff.customer_id, run_id, 6, sibling, True),
        (staff.customer_id, run_id, 6, sibling, False),
    ]

    settled = imp(db, params, settings.data_dir, data, brin="99YY")
    plan = load_table(Path(settled.archive), "plan")
    matched = plan[plan["source_row"] == 6].iloc[0]
    assert matched["matched_by"] == "student_number" and matched["skip"] == ""
    assert int(matched["customer_id"]) == sibling
    assert enrollments(db, "99YY")["008888"] == "active"


def test_the_run_page_and_linking_are_403_for_a_school_contact(
    client: FlaskClient, db: Engine, params: Params, unsure: tuple[str, bytes, int, int]
) -> None:
    run_id, _, sibling, _ = unsure
    logged_in(client, register(db, params, branch="0101"))
    url = f"/medewerker/runs/{run_id}"
    assert client.get(url).status_code == 403
    form = {"csrf_token": token(client, "/"), "row": 6, "card": _card(db, sibling)}
    assert client.post(url, data=form).status_code == 403
    assert enrollments(db, "99YY").get("008888") is None


def test_linking_without_a_csrf_token_is_refused(
    client: FlaskClient, db: Engine, params: Params, unsure: tuple[str, bytes, int, int]
) -> None:
    run_id, _, sibling, _ = unsure
    logged_in(client, register(db, params, surname="Medewerker", staff=True))
    url = f"/medewerker/runs/{run_id}"
    refused = client.post(url, data={"row": 6, "card": _card(db, sibling)})
    assert refused.status_code == 400 and "Formulier verlopen" in refused.text
    assert enrollments(db, "99YY").get("008888") is None
    assert client.get("/medewerker/runs/bestaat-niet").status_code == 404
