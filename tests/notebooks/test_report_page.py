"""The archived report page in real headless Chromium, offline, at laptop width."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from leerlingimport.db import make_engine, upgrade, writing
from leerlingimport.library import register_params
from leerlingimport.params import Params
from leerlingimport.synthetic.exports import parnassys_csv
from leerlingimport.synthetic.samples import demo_library
from leerlingimport.workbook import Workbook, run_workbook

from ..conftest import REPO
from ..sync_helpers import NEXT_YEAR, NOW

CHROMIUM = "/usr/bin/chromium"


def test_the_report_page_reads_at_laptop_width_without_network(
    tmp_path: Path, params: Params, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} ontbreekt: 'make test' installeert het."
    school = demo_library(seed=13, pupils=48)["99ZZ"]
    engine = make_engine(f"sqlite:///{tmp_path / 'report.db'}")
    upgrade(engine)
    with writing(engine) as conn:
        register_params(conn, params)
    book = Workbook(engine, params, tmp_path / "var", params_dir=REPO / "params")
    first, later = tmp_path / "2026.csv", tmp_path / "2027.csv"
    first.write_bytes(parnassys_csv(school.spec, school.first))
    later.write_bytes(parnassys_csv(school.next_spec, school.next))
    run_workbook(book, first, "99ZZ", now=NOW)
    result = run_workbook(book, later, "99ZZ", now=NEXT_YEAR, confirm_deregistration=True)
    engine.dispose()
    assert result.status == "applied"
    page_file = Path(result.archive) / "05_report.html"
    shots = Path(os.environ.get("LEERLINGIMPORT_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    shots.mkdir(parents=True, exist_ok=True)

    requested: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.route("**/*", lambda route: (requested.append(route.request.url), route.continue_()))
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.naturalWidth, e.getAttribute('alt')])"
        )
        tables = page.locator("table").count()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        page.screenshot(path=str(shots / "05_report-1280.png"), full_page=True)
        browser.close()

    assert not [url for url in requested if not url.startswith(("file:", "data:"))]
    assert len(images) >= 2 and all(width > 0 and alt for width, alt in images), images
    assert tables >= 4
    assert overflow <= 0
