"""The school's upload: content checks, the inbox, the check result and the mail (UPL-01 to -08)."""

from __future__ import annotations

import hashlib
import io
import stat
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from leerlingimport.db import reading
from leerlingimport.db.tables import School, Upload
from leerlingimport.params import Params
from leerlingimport.portal import jobs
from leerlingimport.settings import Settings
from leerlingimport.synthetic import exports

from ..fixtures import PO, pupils
from .conftest import Inbox, Person, logged_in, register, token

PUPILS = pupils(15)
PARNASSYS = exports.parnassys_csv(PO, PUPILS)


def with_bsn(data: bytes) -> bytes:
    lines = data.decode("utf-8").splitlines()
    return (
        "\r\n".join([lines[0] + ";BSN"] + [f"{line};123456782" for line in lines[1:]]) + "\r\n"
    ).encode()


def school_id(engine: Engine, brin: str) -> str:
    with reading(engine) as conn:
        return str(conn.scalar(select(School.id).where(School.brin == brin)))


def send(client: FlaskClient, data: bytes, name: str, brin: str = "99ZZ"):  # type: ignore[no-untyped-def]
    """Send a file for ``brin`` as the upload form does (branch 0101 has two schools)."""
    school = school_id(client.application.extensions["leerlingimport.engine"], brin)
    form = {
        "csrf_token": token(client, "/upload"),
        "file": (io.BytesIO(data), name),
        "school": school,
    }
    return client.post("/upload", data=form, content_type="multipart/form-data")


def stored(settings: Settings) -> list[Path]:
    folder = settings.data_dir / "inbox"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def uploads(engine: Engine) -> list[Upload]:
    with reading(engine) as conn:
        return list(conn.execute(select(Upload).order_by(Upload.id)).all())


@pytest.fixture
def contact(client: FlaskClient, db: Engine, params: Params) -> Person:
    person = register(db, params, surname="Bakker", branch="0101")
    logged_in(client, person)
    return person


def test_a_good_file_is_kept_under_a_server_name_and_the_library_is_mailed(
    client: FlaskClient, db: Engine, settings: Settings, contact: Person, smtp_env: Inbox
) -> None:
    page = send(client, PARNASSYS, "../../leerlingen 2026.csv")
    assert page.status_code == 200
    assert "Uw bestand is ontvangen" in page.text and "15 leerlingen" in page.text
    [row] = uploads(db)
    [path] = stored(settings)
    assert path.name == row.stored_name and path.parent == settings.data_dir / "inbox"
    assert "leerlingen" not in path.name and path.suffix == ".csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert row.sha256 == hashlib.sha256(PARNASSYS).hexdigest() and row.size == len(PARNASSYS)
    assert row.original_name == "leerlingen 2026.csv" and row.status == "received"
    assert row.check_result["rows"] == 15 and row.notified_at is not None
    [mail] = smtp_env.messages
    assert mail.rcpt_tos == ["leerlingbestanden@bibliotheek.example.org"]
    body = mail.content.decode()
    for expected in (
        "OBS De Regenboog (99ZZ)",
        "Kim Bakker",
        contact.card,
        "leerlingen 2026.csv",
        "Rijen: 15",
    ):
        assert expected in body
    for pupil in PUPILS:  # never pupil data in a mail
        assert pupil.surname not in body and pupil.student_number not in body


def test_a_corrected_file_can_follow_one_with_problems(
    client: FlaskClient, db: Engine, contact: Person, smtp_env: Inbox
) -> None:
    lines = PARNASSYS.decode().splitlines()
    broken = (
        lines[0]
        + "\r\n"
        + lines[1].replace(lines[1].split(";")[8], "31-02-2019")
        + "\r\n"
        + "\r\n".join(lines[2:])
    )
    page = send(client, broken.encode(), "klas.csv")
    assert "Wat wij in het bestand zagen" in page.text and "rij 2" in page.text
    assert "Uw bestand is ontvangen" in send(client, PARNASSYS, "klas-verbeterd.csv").text
    assert [u.status for u in uploads(db)] == ["received", "received"]


def test_a_file_with_a_bsn_column_is_refused_and_not_kept(
    client: FlaskClient, db: Engine, settings: Settings, contact: Person, smtp_env: Inbox
) -> None:
    page = send(client, with_bsn(PARNASSYS), "met-bsn.csv")
    assert "Het bestand kan niet worden gebruikt" in page.text and "BSN" in page.text
    assert stored(settings) == [] and smtp_env.messages == []
    assert [u.status for u in uploads(db)] == ["rejected"]


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("leerlingen.xlsx.php", PARNASSYS, "type .php kan niet"),
        ("leerlingen.xlsx", PARNASSYS, "past niet bij de extensie .xlsx"),
        ("plaatje.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "past niet bij de extensie .csv"),
        ("leerlingen.csv%00.xlsx", PARNASSYS, "bestandsnaam"),
        ("leeg.csv", b"", "leeg"),
    ],
)
def test_a_disguised_file_is_refused_and_not_stored(
    client: FlaskClient,
    db: Engine,
    settings: Settings,
    contact: Person,
    name: str,
    data: bytes,
    said: str,
) -> None:
    page = send(client, data, name)
    assert "Het bestand is niet gebruikt" in page.text and said in page.text
    assert stored(settings) == [] and uploads(db) == []


def test_a_zip_inside_a_zip_is_refused_and_not_kept(
    client: FlaskClient, db: Engine, settings: Settings, contact: Person
) -> None:
    nested = exports.zipped("binnen.zip", exports.zipped("leerlingen.csv", PARNASSYS))
    page = send(client, nested, "leerlingen.zip")
    assert "Het bestand kan niet worden gebruikt" in page.text
    assert stored(settings) == []


def test_an_oversized_file_gets_413_and_nothing_is_stored(
    client: FlaskClient, db: Engine, settings: Settings, contact: Person
) -> None:
    head = b'--X\r\nContent-Disposition: form-data; name="file"; filename="groot.csv"\r\n\r\n'
    body = head + b"a;b\r\n" * (11 * 2**20 // 5) + b"\r\n--X--\r\n"  # bytes: no spooled file
    page = client.post("/upload", data=body, content_type="multipart/form-data; boundary=X")
    assert page.status_code == 413 and "Bestand te groot" in page.text
    assert stored(settings) == [] and uploads(db) == []


def test_a_check_over_its_memory_limit_is_stopped_and_the_site_stays_up(
    client: FlaskClient,
    db: Engine,
    settings: Settings,
    contact: Person,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jobs, "CHECK_MEMORY", 64 * 2**20)  # too little for any reader to start
    page = send(client, PARNASSYS, "leerlingen.csv")
    assert "meer geheugen of rekentijd" in page.text
    assert stored(settings) == [] and [u.status for u in uploads(db)] == ["rejected"]
    assert client.get("/").status_code == 200


def test_another_branchs_school_is_refused(
    client: FlaskClient, db: Engine, settings: Settings, contact: Person
) -> None:
    page = send(client, PARNASSYS, "leerlingen.csv", brin="99XX")  # branch 0102
    assert page.status_code == 403 and stored(settings) == [] and uploads(db) == []


def test_without_the_upload_right_there_is_no_menu_item_and_403(
    client: FlaskClient, db: Engine, params: Params
) -> None:
    logged_in(client, register(db, params, surname="Zonderrecht"))
    assert "Upload leerlingbestand" not in client.get("/").text
    assert client.get("/upload").status_code == 403
    assert client.post("/upload", data={"csrf_token": token(client, "/")}).status_code == 403


def test_a_school_sends_at_most_its_daily_quota(
    client: FlaskClient, db: Engine, settings: Settings, contact: Person
) -> None:
    client.application.config["UPLOADS_PER_DAY"] = 1
    send(client, PARNASSYS, "een.csv")
    page = send(client, PARNASSYS, "twee.csv")
    assert "vandaag al veel bestanden" in page.text and len(stored(settings)) == 1
