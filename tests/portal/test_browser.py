"""The whole flow in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against the portal served by waitress in a child process, with a real SMTP server on loopback.

A missing browser fails these tests: `make test` installs Chromium first. Playwright never
downloads a browser here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy import Engine, func, select

from leerlingimport.db import make_engine, upgrade, writing
from leerlingimport.db.tables import Upload
from leerlingimport.library import register_params
from leerlingimport.params import Params
from leerlingimport.synthetic import exports

from ..fixtures import PO, pupils
from .conftest import REPO, Inbox, free_port, register

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "groene appels in de herfst"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} ontbreekt: 'make test' installeert het (apt-get install chromium)."
        )
    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=CHROMIUM, env={**os.environ, "LANGUAGE": "nl"}
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, smtp: tuple[int, Inbox], params: Params
) -> Iterator[tuple[str, Engine]]:
    """The portal under waitress (``leerlingimport portal``) on a free loopback port."""
    data_dir = tmp_path_factory.mktemp("portal")
    url = f"sqlite:///{data_dir / 'portal.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with writing(engine) as conn:
        register_params(conn, params)
    port = free_port()
    env = {
        **os.environ,
        "LEERLINGIMPORT_DATABASE_URL": url,
        "LEERLINGIMPORT_PARAMS_DIR": str(REPO / "params"),
        "LEERLINGIMPORT_DATA_DIR": str(data_dir),
        "LEERLINGIMPORT_SMTP_HOST": "127.0.0.1",
        "LEERLINGIMPORT_SMTP_PORT": str(smtp[0]),
        "LEERLINGIMPORT_SMTP_TLS": "none",
        "LEERLINGIMPORT_SMTP_SENDER": "portaal@bibliotheek.example.org",
    }
    log = (data_dir / "portal.log").open("wb")
    child = subprocess.Popen(
        [sys.executable, "-m", "leerlingimport", "portal", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(port, child)
        yield f"http://127.0.0.1:{port}", engine
    finally:
        child.terminate()
        child.wait(timeout=10)
        log.close()
        engine.dispose()


def _wait_for(port: int, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert child.poll() is None, "the portal stopped at start; see portal.log"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("the portal did not start within 30 s")


def new_page(
    browser: Browser, base: str, *, js: bool = True, width: int = 1280, height: int = 800
) -> tuple[BrowserContext, Page, list[str]]:
    """A fresh browser profile; console errors (a CSP violation among them) are collected."""
    context = browser.new_context(
        locale="nl-NL",
        java_script_enabled=js,
        base_url=base,
        viewport={"width": width, "height": height},
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return context, page, errors


def log_in(page: Page, card: str, password: str) -> None:
    page.goto("/inloggen")
    page.get_by_label("Pasnummer").fill(card)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen").click()


def first_login(page: Page, card: str, otp: str) -> None:
    """Log in with a one-time password and choose an own password, as the server demands."""
    log_in(page, card, otp)
    expect(page.get_by_role("heading", name="Kies uw eigen wachtwoord")).to_be_visible()
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Herhaal nieuw wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_text("Nieuw wachtwoord is ingesteld en actief.")).to_be_visible()


def test_the_whole_flow_from_new_contact_to_import(
    browser: Browser,
    server: tuple[str, Engine],
    smtp: tuple[int, Inbox],
    params: Params,
    tmp_path: Path,
) -> None:
    base, engine = server
    smtp[1].messages.clear()
    staff = register(engine, params, surname="Medewerker", staff=True)
    desk, staff_page, desk_errors = new_page(browser, base)
    first_login(staff_page, staff.card, staff.otp)

    # 1. Staff create the school's contact; the slip shows the one-time password once.
    staff_page.get_by_role("link", name="Klanten").first.click()
    staff_page.get_by_role("link", name="Nieuwe klant aanmaken").click()
    staff_page.get_by_label("Voornaam").fill("Noor")
    staff_page.get_by_label("Achternaam").fill("Visser")
    staff_page.get_by_label("School", exact=True).select_option(label="OBS De Regenboog (99ZZ)")
    staff_page.get_by_label("Groep of klas").fill("G5A")
    staff_page.get_by_label("Mag leerlinggegevens uploaden voor").select_option("0101")
    staff_page.get_by_role("button", name="Klant aanmaken").click()
    card = staff_page.get_by_test_id("card").inner_text()
    otp = staff_page.get_by_test_id("otp").inner_text()

    # 2.-5. The contact logs in, must choose a password, uploads and sees the result at once.
    school, page, errors = new_page(browser, base)
    log_in(page, card, otp)
    cookie_after_login = {c["name"]: c for c in school.cookies()}["__Host-sid"]
    assert (
        cookie_after_login["secure"]
        and cookie_after_login["httpOnly"]
        and cookie_after_login["sameSite"] == "Lax"
    )
    page.goto("/upload")  # not before the new password
    expect(page.get_by_role("heading", name="Kies uw eigen wachtwoord")).to_be_visible()
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Herhaal nieuw wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_text("Nieuw wachtwoord is ingesteld en actief.")).to_be_visible()
    assert {c["name"]: c for c in school.cookies()}["__Host-sid"]["value"] != cookie_after_login[
        "value"
    ]
    page.get_by_role("navigation").get_by_role("link", name="Upload leerlingbestand").click()
    file = tmp_path / "leerlingen.csv"
    file.write_bytes(exports.parnassys_csv(PO, pupils(15)))
    page.get_by_label("School").select_option(label="OBS De Regenboog (99ZZ)")
    page.get_by_label("Leerlingbestand").set_input_files(file)
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_text("Uw bestand is ontvangen")).to_be_visible()
    expect(page.get_by_text("15 leerlingen")).to_be_visible()

    # 6. The library got a mail at a real SMTP server.
    [mail] = smtp[1].messages
    body = mail.content.decode()
    assert mail.rcpt_tos == [params.library.notify_email]
    assert (
        "OBS De Regenboog (99ZZ)" in body
        and "Noor Visser" in body
        and "leerlingen.csv" in body
        and "Rijen: 15" in body
    )

    # 7. Staff download the file, start a dry run and then the import.
    staff_page.get_by_role("link", name="Inbox").first.click()
    staff_page.get_by_role("link", name="leerlingen.csv").click()
    with staff_page.expect_download() as download:
        staff_page.get_by_role("link", name="Downloaden").click()
    assert Path(download.value.path()).read_bytes() == file.read_bytes()
    staff_page.get_by_role("button", name="Proefimport starten").click()
    expect(staff_page.get_by_role("heading", name="Proefimport: gepland (proef)")).to_be_visible(
        timeout=120_000
    )
    staff_page.get_by_role("button", name="Importeren").click()
    expect(staff_page.get_by_role("heading", name="Import: uitgevoerd")).to_be_visible(
        timeout=120_000
    )
    assert errors == [] and desk_errors == []  # no CSP violation, no script error
    school.close()
    desk.close()


def test_without_upload_rights_no_menu_item_and_403_even_without_javascript(
    browser: Browser, server: tuple[str, Engine], params: Params
) -> None:
    base, engine = server
    person = register(engine, params, surname="Zonderrecht")
    context, page, errors = new_page(browser, base, js=False)
    page.goto("/inloggen")
    before = {c["name"]: c["value"] for c in context.cookies()}["__Host-sid"]
    first_login(page, person.card, person.otp)
    assert before not in {c["value"] for c in context.cookies()}
    expect(page.get_by_role("heading", name="Welkom, Kim Zonderrecht")).to_be_visible()
    expect(page.get_by_text("Upload leerlingbestand")).to_have_count(0)
    refused_page = page.goto("/upload")
    assert refused_page is not None and refused_page.status == 403
    assert "server" not in refused_page.headers  # waitress says nothing about itself
    assert refused_page.headers["strict-transport-security"].startswith("max-age=31536000")
    expect(page.get_by_role("heading", name="Geen toegang")).to_be_visible()
    refused = context.request.post(f"{base}/uitloggen", form={"x": "1"}, max_redirects=0)
    assert refused.status == 400  # no CSRF token
    context.close()
    assert all("status of 403" in e for e in errors), errors  # only the refused page


PAGES_SEEN = [
    "/",
    "/wachtwoord",
    "/upload",
    "/medewerker/inbox",
    "/medewerker/klanten?q=vis",
    "/medewerker/klanten/nieuw",
]


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_every_page_fits_the_screen_at_laptop_and_phone_width(
    browser: Browser,
    server: tuple[str, Engine],
    params: Params,
    width: int,
    height: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Screenshots go to a temporary folder (or $LEERLINGIMPORT_SCREENSHOTS), never the repo."""
    base, engine = server
    shots = Path(
        os.environ.get("LEERLINGIMPORT_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots")
    )
    shots.mkdir(parents=True, exist_ok=True)
    person = register(engine, params, surname=f"Scherm{width}", staff=True, branch="0101")
    context, page, errors = new_page(browser, base, width=width, height=height)

    def shoot(name: str) -> None:
        page.screenshot(path=shots / f"{width}-{name}.png", full_page=True)
        overflow: Any = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px screen"

    page.goto("/inloggen")
    shoot("inloggen")
    page.get_by_label("Pasnummer").fill(person.card)
    page.get_by_label("Wachtwoord", exact=True).fill("fout")
    page.get_by_role("button", name="Inloggen").click()
    shoot("inloggen-fout")
    log_in(page, person.card, person.otp)
    shoot("wachtwoord-kiezen")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Herhaal nieuw wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    for path in PAGES_SEEN:
        page.goto(path)
        shoot(path.strip("/").replace("/", "-").replace("?q=", "-") or "start")
    page.goto("/upload")
    file = tmp_path_factory.mktemp("upload") / "groep 5 met fouten.csv"
    lines = exports.parnassys_csv(PO, pupils(8)).decode().splitlines()
    lines[2] = lines[2].replace(lines[2].split(";")[8], "31-02-2019")  # a problem to show
    file.write_text("\r\n".join(lines) + "\r\n")
    page.get_by_label("School").select_option(label="OBS De Regenboog (99ZZ)")
    page.get_by_label("Leerlingbestand").set_input_files(file)
    page.get_by_role("button", name="Versturen").click()
    shoot("upload-resultaat")
    page.goto("/medewerker/inbox")
    with engine.connect() as conn:
        kept = conn.scalar(
            select(func.count()).where(Upload.status.in_(("received", "checked", "imported")))
        )
    expect(page.locator("tbody tr")).to_have_count(kept or 0)
    page.get_by_role("link", name=file.name).first.click()
    shoot("inbox-bestand")
    page.goto("/medewerker/klanten/nieuw")
    page.get_by_label("Achternaam").fill("Scherm")
    page.get_by_role("button", name="Klant aanmaken").click()
    shoot("bon")
    page.emulate_media(media="print")
    shoot("bon-afdruk")
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Naar de klant").click()
    shoot("klant")
    page.goto("/bestaat-niet")
    shoot("niet-gevonden")
    context.close()
    assert all("status of 404" in e for e in errors), errors  # only the missing page
