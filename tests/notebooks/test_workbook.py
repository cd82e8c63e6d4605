"""The workbook run by its runner: five notebooks by papermill, the archive, the failures."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import papermill
import pytest
from sqlalchemy import Engine, select

from leerlingimport.db import reading
from leerlingimport.db.tables import ImportRun, RunStep
from leerlingimport.params import Params
from leerlingimport.synthetic.exports import parnassys_csv
from leerlingimport.synthetic.samples import demo_library
from leerlingimport.workbook import Workbook, run_workbook, verify_archive
from leerlingimport.workbook.archive import make_writable
from leerlingimport.workbook.book import NOTEBOOKS
from leerlingimport.workbook.runner import (
    STEPS,
    NotebookParameterError,
    check_parameters,
    run_notebook,
)

from ..conftest import REPO
from ..sync_helpers import snapshot

LIBRARY = demo_library(seed=11, pupils=40)
ZZ = LIBRARY["99ZZ"]


@pytest.fixture
def book(engine: Engine, params: Params, tmp_path: Path) -> Workbook:
    return Workbook(engine, params, tmp_path / "var", params_dir=REPO / "params")


def _file(tmp_path: Path, data: bytes, name: str = "leerlingen.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _steps(engine: Engine, run_id: str) -> list[tuple[str, str]]:
    with reading(engine) as conn:
        rows = conn.execute(
            select(RunStep.step, RunStep.status)
            .join(ImportRun, ImportRun.id == RunStep.run_id)
            .where(ImportRun.run_id == run_id)
            .order_by(RunStep.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _run_row(engine: Engine, run_id: str) -> Any:
    with reading(engine) as conn:
        return conn.execute(select(ImportRun).where(ImportRun.run_id == run_id)).one()


def test_an_import_runs_the_five_notebooks_and_archives_them(
    book: Workbook, tmp_path: Path
) -> None:
    path = _file(tmp_path, parnassys_csv(ZZ.spec, ZZ.first))
    result = run_workbook(book, path, "99ZZ")
    assert (result.status, result.counts["created"], result.error) == ("applied", 40, None)
    assert result.passwords_issued == 40
    archive = Path(result.archive)
    assert archive.parent.parent == book.data_dir / "archive" / "99ZZ"
    names = sorted(p.name for p in archive.iterdir())
    stems = [Path(s.notebook).stem for s in STEPS]
    assert names == sorted(
        [*(f"{s}.ipynb" for s in stems), *(f"{s}.html" for s in stems), "manifest.json"]
    )
    manifest = json.loads((archive / "manifest.json").read_text())
    assert manifest["input"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [s["status"] for s in manifest["steps"]] == ["ok"] * 5
    assert manifest["parameters"]["run_id"] == result.run_id
    assert manifest["counts"] == result.counts and manifest["status"] == "applied"
    assert _steps(book.engine, result.run_id) == [(s.name, "ok") for s in STEPS]
    row = _run_row(book.engine, result.run_id)
    assert (row.status, row.archive_path) == ("applied", str(archive))
    assert verify_archive(archive, book.engine) == []
    assert not any(p.stat().st_mode & 0o222 for p in archive.iterdir())  # read-only
    html = (archive / "05_report.html").read_text()
    assert "data:image/png;base64," in html  # the chart travels inside the page
    assert not re.search(r"""(src|href)=["']https?:|import\s*\(?["']https?:""", html)
    assert "nieuwe_leerlingen" not in " ".join(names)  # the passwords never go in the archive


def test_the_archive_holds_no_pupil_name_birth_date_or_address(
    book: Workbook, tmp_path: Path
) -> None:
    first = run_workbook(book, _file(tmp_path, parnassys_csv(ZZ.spec, ZZ.first)), "99ZZ")
    later = _file(tmp_path, parnassys_csv(ZZ.next_spec, ZZ.next), "volgend.csv")
    second = run_workbook(book, later, "99ZZ", confirm_deregistration=True)
    assert second.counts["deregistered"] > 0 and second.counts["new"] > 0
    text = "\n".join(
        re.sub(r"[A-Za-z0-9+/=]{200,}", "", p.read_text())  # embedded PNG, not words
        for run in (first, second)
        for p in Path(run.archive).iterdir()
    )
    for pupil in [*ZZ.first, *ZZ.next]:
        words = [pupil.first_name, pupil.surname, pupil.street, pupil.postcode, pupil.email]
        for word in filter(None, words):
            assert not re.search(rf"\b{re.escape(word)}\b", text), word
        for day in (f"{pupil.birth_date:%d-%m-%Y}", pupil.birth_date.isoformat()):
            assert day not in text


def test_audit_verify_notices_one_changed_byte_in_any_archived_file(
    book: Workbook, tmp_path: Path
) -> None:
    result = run_workbook(book, _file(tmp_path, parnassys_csv(ZZ.spec, ZZ.first)), "99ZZ")
    archive = Path(result.archive)
    archive.chmod(0o755)
    for file in sorted(archive.iterdir()):
        original = file.read_bytes()
        file.chmod(0o644)
        middle = len(original) // 2
        file.write_bytes(original[:middle] + bytes([original[middle] ^ 1]) + original[middle + 1 :])
        problems = verify_archive(archive, book.engine)
        assert problems and all(file.name in p for p in problems), (file.name, problems)
        file.write_bytes(original)
        assert verify_archive(archive, book.engine) == []


@pytest.mark.parametrize("fault", ["LEERLINGIMPORT_FAIL_AT", "LEERLINGIMPORT_KILL_AT"])
def test_a_failing_step_is_archived_with_its_error_on_top_and_changes_nothing(
    book: Workbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    before = snapshot(book.engine)
    monkeypatch.setenv(fault, "enroll-before-commit")  # the kernels inherit it
    result = run_workbook(book, _file(tmp_path, parnassys_csv(ZZ.spec, ZZ.first)), "99ZZ")
    assert result.status == "failed" and result.error and result.error.startswith("Stap enroll")
    assert snapshot(book.engine) == before
    assert _steps(book.engine, result.run_id) == [
        ("ingest", "ok"),
        ("validate", "ok"),
        ("enroll", "failed"),
    ]
    row = _run_row(book.engine, result.run_id)
    assert (row.status, row.error) == ("failed", result.error)
    archive = Path(result.archive)
    assert sorted(p.name for p in archive.glob("*.ipynb")) == [
        "01_ingest.ipynb",
        "02_validate.ipynb",
        "03_enroll.ipynb",
    ]
    top = json.loads((archive / "03_enroll.ipynb").read_text())["cells"][0]
    assert top["cell_type"] == "markdown" and "papermill-error-cell-tag" in top["metadata"]["tags"]
    assert verify_archive(archive, book.engine) == []


def test_a_rejected_file_stops_after_validate_and_is_archived(
    book: Workbook, tmp_path: Path
) -> None:
    path = _file(tmp_path, b"Achternaam;Roepnaam\nJansen;Piet\n")
    result = run_workbook(book, path, "99ZZ")
    assert result.status == "rejected" and result.error is None
    assert _steps(book.engine, result.run_id) == [("ingest", "ok"), ("validate", "stopped")]
    assert _run_row(book.engine, result.run_id).status == "rejected"
    assert len(list(Path(result.archive).glob("*.ipynb"))) == 2


def test_a_dry_run_keeps_its_notebooks_in_the_run_directory_only(
    book: Workbook, tmp_path: Path
) -> None:
    before = snapshot(book.engine)
    result = run_workbook(
        book, _file(tmp_path, parnassys_csv(ZZ.spec, ZZ.first)), "99ZZ", dry_run=True
    )
    assert (result.status, result.counts["created"]) == ("planned", 40)
    assert snapshot(book.engine) == before
    assert not (book.data_dir / "archive").exists()
    run_dir = book.data_dir / "runs" / result.run_id
    assert result.archive == str(run_dir)
    assert len(list((run_dir / "notebooks").glob("*.ipynb"))) == 5


def test_unknown_or_missing_parameters_are_refused_before_running() -> None:
    step = STEPS[1]
    given = dict.fromkeys(step.parameters, "")
    check_parameters(NOTEBOOKS / step.notebook, given)
    with pytest.raises(NotebookParameterError, match="onbekende parameters \\['colour'\\]"):
        check_parameters(NOTEBOOKS / step.notebook, {**given, "colour": "red"})
    del given["school"]
    with pytest.raises(NotebookParameterError, match="ontbrekende parameters \\['school'\\]"):
        check_parameters(NOTEBOOKS / step.notebook, given)


def test_the_defaults_run_as_they_are_on_the_samples_and_the_demo_database(
    tmp_path: Path, params: Params
) -> None:
    """What an analyst gets when they open the notebooks after `make demo` and run them."""
    from leerlingimport.db import make_engine, upgrade, writing
    from leerlingimport.library import register_params

    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks")
    (tmp_path / "params").symlink_to(REPO / "params")
    (tmp_path / "data").symlink_to(REPO / "data")
    (tmp_path / "var").mkdir()
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'demo.db'}")
    upgrade(engine)
    with writing(engine) as conn:
        register_params(conn, params)
    for step in STEPS:
        notebook = tmp_path / "notebooks" / step.notebook
        declared = papermill.inspect_notebook(str(notebook))
        defaults = {name: ast.literal_eval(p["default"]) for name, p in declared.items()}
        assert run_notebook(notebook, defaults, notebook) == (None, None)
    with reading(engine) as conn:
        runs = conn.execute(select(ImportRun.status, ImportRun.dry_run)).all()
    engine.dispose()
    assert runs == [("planned", True)]


def test_values_in_issues_and_changes_stay_out_of_the_archive(
    book: Workbook, tmp_path: Path
) -> None:
    """A school's mistakes and a pupil's new name or address are quoted in messages and change
    lists: in the archive they are hidden, however short the table."""
    from dataclasses import replace

    pupils = ZZ.first[:6]
    run_workbook(book, _file(tmp_path, parnassys_csv(ZZ.spec, pupils)), "99ZZ")
    renamed = replace(pupils[0], surname="Zwaluwstaart", street="Ooievaarslaan")
    text = parnassys_csv(ZZ.spec, [renamed, *pupils[1:]]).decode("utf-8-sig")
    bad_day = f"{pupils[1].birth_date:%d-%m-%Y}"
    assert bad_day in text
    text = text.replace(bad_day, "31-02-2015")
    second = run_workbook(book, _file(tmp_path, text.encode(), "tweede.csv"), "99ZZ")
    assert second.counts["updated"] >= 1
    quoted = {i.value for i in second.issues}
    assert "31-02-2015" in quoted  # the message names it
    archived = "\n".join(p.read_text() for p in Path(second.archive).iterdir())
    for secret in ("Zwaluwstaart", "Ooievaarslaan", "31-02-2015"):
        assert secret not in archived, secret
    assert "«verborgen»" in archived


def test_audit_verify_notices_a_run_or_a_manifest_gone_and_a_folder_added(
    book: Workbook, tmp_path: Path
) -> None:
    result = run_workbook(book, _file(tmp_path, parnassys_csv(ZZ.spec, ZZ.first)), "99ZZ")
    archive = Path(result.archive)
    root = book.data_dir / "archive"
    fake = archive.parent / "99ZZ-20270101T000000-abcdef"
    fake.mkdir()
    (fake / "05_report.html").write_text("<html></html>")
    assert any("zonder manifest.json" in p for p in verify_archive(root, book.engine))
    shutil.rmtree(fake)
    make_writable(archive)
    (archive / "manifest.json").unlink()
    problems = verify_archive(root, book.engine)
    assert any("zonder manifest.json" in p for p in problems)
    assert any(f"import {result.run_id} ontbreekt" in p for p in problems)
    shutil.rmtree(archive)
    assert any(f"import {result.run_id} ontbreekt" in p for p in verify_archive(root, book.engine))
