from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from leerlingimport.cli import main

from .conftest import REPO


def test_help_loads_no_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from leerlingimport.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = {'pandas', 'sqlalchemy', 'pydantic', 'alembic', 'openpyxl', 'argon2'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEERLINGIMPORT_DATABASE_URL", database_url)
    monkeypatch.setenv("LEERLINGIMPORT_PARAMS_DIR", str(REPO / "params"))
    monkeypatch.setenv("LEERLINGIMPORT_DATA_DIR", str(tmp_path / "var"))
    return tmp_path


def test_customer_commands(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["customer", "add", "--surname", "Smit"]) == 2  # not initialised yet
    assert "leerlingimport init" in capsys.readouterr().err
    assert main(["init"]) == 0
    assert main(["init"]) == 0  # idempotent
    capsys.readouterr()
    assert (
        main(
            [
                "customer",
                "add",
                "--surname",
                "Smit",
                "--first-name",
                "Ria",
                "--school",
                "99ZZ",
                "--group",
                "G5A",
                "--sex",
                "V",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    card = out.split("Pasnummer: ")[1].split()[0]
    assert len(card) == 14 and card.startswith("2099")
    assert "Eenmalig wachtwoord: " in out
    assert main(["customer", "grant-upload", card, "--branch", "0101"]) == 0
    assert "mag nu leerlinggegevens uploaden voor vestiging 0101" in capsys.readouterr().out
    assert main(["customer", "grant-upload", card, "--branch", "0101"]) == 0
    assert "mocht al" in capsys.readouterr().out
    assert main(["customer", "grant-upload", card, "--branch", "4444"]) == 1
    assert "Vestiging 4444 bestaat niet" in capsys.readouterr().err
    assert main(["customer", "reset-password", "123"]) == 1
    assert "geen actieve pas" in capsys.readouterr().err
    assert main(["customer", "reset-password", card]) == 0
    assert main(["customer", "add", "--surname", "Jansen", "--card", card]) == 1
    assert "al in gebruik" in capsys.readouterr().err
    assert main(["customer", "add", "--surname", "Jansen", "--card", "12345678"]) == 0
    assert "Pasnummer: 12345678" in capsys.readouterr().out


def test_bad_params_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "schools").mkdir()
    (tmp_path / "library.yaml").write_text("nam: x\n", encoding="utf-8")
    assert main(["--params-dir", str(tmp_path), "--data-dir", str(tmp_path), "init"]) == 2
    err = capsys.readouterr().err
    assert "library.yaml: nam: onbekende sleutel" in err
    assert "library.yaml: name: verplichte sleutel ontbreekt" in err


def test_entry_point_runs(tmp_path: Path) -> None:
    env = {**os.environ, "LEERLINGIMPORT_DATA_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-m", "leerlingimport", "--help"], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0 and "customer" in out.stdout


def test_check_reports_validation(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    sample = REPO / "data" / "samples" / "99YY_handmade_2026-2027.ods"
    status = main(
        ["--params-dir", str(REPO / "params"), "check", str(sample), "--school", "99YY", "--json"]
    )
    report = json.loads(capsys.readouterr().out)
    assert status == 0
    assert report["format"] == {
        "container": "ods",
        "encoding": None,
        "delimiter": None,
        "sheet": "Leerlingen",
        "header_row": 3,
    }
    # Combination groups (Groep 1/2a) take the year group from the birth date: all 60 valid.
    assert report["rows"] == report["valid_rows"] == 60
    derived = [i for i in report["issues"] if i["code"] == "year-group-derived"]
    assert len(derived) == 1 and "Groep 1/2a" in derived[0]["message"]
    assert set(derived[0]) == {"code", "severity", "row", "column", "message"}


def test_check_of_a_file_without_required_columns_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upload = tmp_path / "lijst.csv"
    upload.write_text("Roepnaam;Achternaam;Geslacht\nSem;Vries;M\n", encoding="utf-8")
    status = main(["--params-dir", str(REPO / "params"), "check", str(upload), "--school", "99ZZ"])
    out = capsys.readouterr().out
    assert status == 1
    assert "GEWEIGERD" in out and "fout: de verplichte kolom" in out
    assert "missing-column" not in out  # codes are for --json; people read words


def test_check_unknown_school_and_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = ["--params-dir", str(REPO / "params")]
    assert main([*params, "check", str(tmp_path / "nope.csv"), "--school", "99ZZ"]) == 1
    assert "niet te lezen" in capsys.readouterr().err
    assert main([*params, "check", str(tmp_path / "nope.csv"), "--school", "12AB"]) == 2
    err = capsys.readouterr().err
    assert "'12AB' is niet bekend" in err and "99ZZ (OBS De Regenboog)" in err


def test_demo_runs_the_yearly_import_on_its_own_database(tmp_path: Path) -> None:
    from leerlingimport.demo import run_demo
    from leerlingimport.params import load_params

    stale = tmp_path / "demo" / "archive" / "99ZZ" / "2025-2026" / "oud"  # an earlier demo's
    stale.mkdir(parents=True)
    (stale / "manifest.json").write_text("{}")
    stale.chmod(0o555)
    lines: list[str] = []
    assert run_demo(tmp_path, load_params(REPO / "params"), lines.append) == 0
    text = "\n".join(lines)
    assert not stale.parent.exists()  # made fresh: the old archive is gone
    assert "audit verify: ongeschonden" in text
    assert len(list((tmp_path / "demo" / "archive").glob("*/*/*/manifest.json"))) == 9
    assert (tmp_path / "demo.db").exists()
    assert text.count("uitgevoerd") == 8  # four schools, two school years
    assert "heeft nog iets geleend" in text and "combinatiegroepen" in text
    assert "AANGEHOUDEN" in text and "meer dan de drempel" in text
    assert "niet verwerkt" not in text  # every pupil of the samples is enrolled
    english = {"error", "warning", "applied", "held", "rejected", "rows", "leaver", "year-group"}
    assert not {w for w in english if re.search(rf"\b{w}\b", text)}


def test_import_and_runs_json_contract(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    samples = REPO / "data" / "samples"
    assert main(["init"]) == 0
    capsys.readouterr()
    first = samples / "99ZZ_parnassys_2026-2027.csv"
    assert main(["import", str(first), "--school", "99ZZ", "--dry-run", "--json"]) == 0
    planned = json.loads(capsys.readouterr().out)
    assert set(planned) == {"run_id", "school", "dry_run", "status", "archive", "counts"}
    assert (planned["school"], planned["dry_run"], planned["status"]) == ("99ZZ", True, "planned")
    assert list(planned["counts"]) == [
        "rows",
        "rejected",
        "new",
        "created",
        "transferred",
        "reactivated",
        "updated",
        "unchanged",
        "deregistered",
    ]
    assert main(["import", str(first), "--school", "99ZZ", "--json"]) == 0
    applied = json.loads(capsys.readouterr().out)
    assert applied["status"] == "applied" and applied["counts"]["created"] == 60
    archive = Path(applied["archive"])
    assert archive.parent.parent.parent == cli_env / "var" / "archive"
    assert (archive / "manifest.json").exists() and not list(archive.glob("nieuwe_leerlingen*"))
    assert (cli_env / "var" / "runs" / applied["run_id"] / "nieuwe_leerlingen.xlsx").exists()
    assert planned["archive"] == str(cli_env / "var" / "runs" / planned["run_id"])
    half = cli_env / "half.csv"
    half.write_bytes(b"\r\n".join(first.read_bytes().split(b"\r\n")[:21]) + b"\r\n")
    assert main(["import", str(half), "--school", "99ZZ", "--json"]) == 1  # held
    assert json.loads(capsys.readouterr().out)["status"] == "held"
    assert main(["import", str(half), "--school", "99ZZ"]) == 1
    assert "AANGEHOUDEN" in capsys.readouterr().out
    assert main(["runs", "--school", "99ZZ", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in runs] == ["held", "held", "applied", "planned"]
    assert runs[2]["counts"] == applied["counts"] and runs[0]["brin"] == "99ZZ"
    assert runs[2]["archive"] == str(archive)
    assert main(["runs", "--school", "99ZZ"]) == 0
    assert f"archief: {archive}" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0
    assert "ongeschonden" in capsys.readouterr().out
    manifest = archive / "manifest.json"
    archive.chmod(0o755)
    manifest.chmod(0o644)
    manifest.write_text(manifest.read_text().replace('"applied"', '"planned"', 1))
    assert main(["audit", "verify", str(archive)]) == 1
    assert "manifest.json: gewijzigd" in capsys.readouterr().out
