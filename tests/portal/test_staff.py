"""Library staff: contacts, one-time password slips, upload rights, the inbox and imports."""

from __future__ import annotations

import io
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select

from leerlingimport.db import reading
from leerlingimport.db.tables import Enrollment, PortalEvent, Upload, UploadPermission
from leerlingimport.params import Params
from leerlingimport.synthetic import exports

from ..fixtures import PO, pupils
from .conftest import Person, logged_in, login, register, token

STAFF_PAGES = ["/medewerker/inbox", "/medewerker/klanten", "/medewerker/klanten/nieuw"]


@pytest.fixture
def staff(client: FlaskClient, db: Engine, params: Params) -> Person:
    person = register(db, params, surname="Medewerker", staff=True)
    logged_in(client, person)
    return person


def slip(page_text: str) -> tuple[str, str]:
    card = re.search(r'data-testid="card">(\d+)<', page_text)
    otp = re.search(r'data-testid="otp">(\w+)<', page_text)
    assert card and otp, page_text
    return card.group(1), otp.group(1)


def new_customer(client: FlaskClient, **fields: str) -> str:
    data = {
        "csrf_token": token(client, "/medewerker/klanten/nieuw"),
        "card": "V",
        "surname": "Visser",
        "first_name": "Noor",
        "sex": "V",
        "school": "99ZZ",
        "group_code": "G5A",
        "library_member": "y",
        "upload_branch": "0101",
        **fields,
    }
    data = {k: v for k, v in data.items() if v != "-"}
    return client.post("/medewerker/klanten/nieuw", data=data).text


def enrolled(db: Engine) -> int:
    with reading(db) as conn:
        return int(conn.scalar(select(func.count(Enrollment.id))) or 0)


def customer_id_of(db: Engine, card: str) -> int:
    from leerlingimport.db.tables import Card

    with reading(db) as conn:
        return int(conn.scalar(select(Card.customer_id).where(Card.number == card)) or 0)


def test_pages_for_staff_are_403_for_a_school_contact(
    client: FlaskClient, db: Engine, params: Params
) -> None:
    logged_in(client, register(db, params, branch="0101"))
    assert "Inbox" not in client.get("/").text
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 403, url
    assert (
        client.post(
            "/medewerker/inbox/1/import", data={"csrf_token": token(client, "/")}
        ).status_code
        == 403
    )


def test_staff_create_a_contact_who_logs_in_with_the_slips_password(
    client: FlaskClient, db: Engine, staff: Person
) -> None:
    page = new_customer(client)
    assert "Eenmalig wachtwoord" in page and "portal.css" in page
    card, otp = slip(page)
    contact = client.application.test_client()
    assert login(contact, card, otp).location == "/"
    with reading(db) as conn:
        assert conn.scalar(
            select(UploadPermission.id).where(
                UploadPermission.customer_id == customer_id_of(db, card)
            )
        )
    found = client.get("/medewerker/klanten", query_string={"q": card}).text
    assert "Noor Visser" in found
    assert "Noor Visser" in client.get("/medewerker/klanten", query_string={"q": "visser"}).text


def test_a_scanned_card_number_is_checked(client: FlaskClient, staff: Person) -> None:
    page = new_customer(client, card="12ab")
    assert "Pasnummer &#39;12ab&#39; is ongeldig" in page or "Pasnummer '12ab' is ongeldig" in page


def test_upload_rights_need_a_library_subscription_which_staff_can_add(
    client: FlaskClient, db: Engine, staff: Person
) -> None:
    refused = new_customer(client, library_member="-")
    assert "geen lid van de openbare bibliotheek" in refused  # and nothing was created
    assert (
        "Niemand gevonden" in client.get("/medewerker/klanten", query_string={"q": "visser"}).text
    )
    card, _ = slip(new_customer(client, library_member="-", upload_branch=""))
    cid = customer_id_of(db, card)
    url = f"/medewerker/klanten/{cid}"
    grant = {"csrf_token": token(client, url), "branch": "0101"}
    assert "geen lid van de openbare bibliotheek" in client.post(url, data=grant).text
    client.post(f"{url}/lidmaatschap", data={"csrf_token": token(client, url)})
    assert (
        "Mag nu leerlinggegevens uploaden"
        in client.post(url, data=grant, follow_redirects=True).text
    )
    with reading(db) as conn:
        branch_id = conn.scalar(
            select(UploadPermission.branch_id).where(UploadPermission.customer_id == cid)
        )
    client.post(f"{url}/intrekken-{branch_id}", data={"csrf_token": token(client, url)})
    with reading(db) as conn:
        assert (
            conn.scalar(select(UploadPermission.id).where(UploadPermission.customer_id == cid))
            is None
        )


def test_a_new_one_time_password_ends_the_old_password_and_sessions(
    client: FlaskClient, db: Engine, params: Params, staff: Person
) -> None:
    contact = register(db, params, surname="Smit", branch="0101")
    other = logged_in(client.application.test_client(), contact)
    url = f"/medewerker/klanten/{contact.customer_id}"
    card, otp = slip(client.post(f"{url}/wachtwoord", data={"csrf_token": token(client, url)}).text)
    assert card == contact.card and otp != contact.otp
    assert other.get("/").location == "/inloggen"
    assert login(client.application.test_client(), card, otp).status_code == 303


def test_staff_download_and_start_a_dry_run_and_the_import_from_the_inbox(
    client: FlaskClient, db: Engine, params: Params, staff: Person
) -> None:
    data = exports.parnassys_csv(PO, pupils(6))
    contact = logged_in(
        client.application.test_client(), register(db, params, surname="Bos", branch="0101")
    )
    with reading(db) as conn:
        from leerlingimport.db.tables import School

        school = str(conn.scalar(select(School.id).where(School.brin == "99ZZ")))
    form = {
        "csrf_token": token(contact, "/upload"),
        "school": school,
        "file": (io.BytesIO(data), "lijst.csv"),
    }
    assert (
        "6 leerlingen"
        in contact.post("/upload", data=form, content_type="multipart/form-data").text
    )
    inbox = client.get("/medewerker/inbox").text
    assert "lijst.csv" in inbox and "OBS De Regenboog" in inbox
    with reading(db) as conn:
        upload_id = conn.scalar(select(Upload.id))
    url = f"/medewerker/inbox/{upload_id}"
    download = client.get(f"{url}/download")
    body = download.get_data()
    download.close()  # a file response: close it, as a server would
    assert body == data and "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"
    dry = client.post(f"{url}/controle", data={"csrf_token": token(client, url)}).text
    assert "Proefimport: gepland (proef)" in dry
    assert enrolled(db) == 0  # a dry run changes nothing
    done = client.post(f"{url}/import", data={"csrf_token": token(client, url)}).text
    assert "Import: uitgevoerd" in done
    assert enrolled(db) == 6
    page = client.get(url).text  # the run's printable list of new pupils, for the school
    [link] = re.findall(r'href="(/medewerker/runs/[^"]+/nieuwe_leerlingen\.xlsx)"', page)
    run_page = client.get(link.rsplit("/", 1)[0])  # linked from the list of runs
    assert link.rsplit("/", 1)[0] in page and "Geen twijfelgevallen" in run_page.text
    listed = client.get(link)
    assert listed.status_code == 200 and listed.get_data()[:2] == b"PK"
    listed.close()
    assert client.get(link.replace("nieuwe_leerlingen.xlsx", "read.parquet")).status_code == 404
    with reading(db) as conn:
        assert conn.scalar(select(Upload.status)) == "imported"
        logged = conn.execute(
            select(PortalEvent.event, PortalEvent.customer_id).where(
                PortalEvent.upload_id == upload_id
            )
        ).all()
    assert ("download", staff.customer_id) in logged
    assert logged.count(("import-started", staff.customer_id)) == 2
    with reading(db) as conn:
        assert conn.scalar(select(PortalEvent.id).where(PortalEvent.event == "run-file-download"))
