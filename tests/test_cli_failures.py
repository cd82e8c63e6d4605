"""Every command against every failure it can meet: a Dutch sentence and exit status 1 or 2,
never a traceback (issue 9). The database cases run on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leerlingimport.cli import main

from .conftest import REPO

SAMPLE = REPO / "data" / "samples" / "99ZZ_parnassys_2026-2027.csv"
COMMANDS = {
    "init": ["init"],
    "check": ["check", str(SAMPLE), "--school", "99ZZ"],
    "import": ["import", str(SAMPLE), "--school", "99ZZ"],
    "runs": ["runs"],
    "customer add": ["customer", "add", "--surname", "Smit"],
    "grant-upload": ["customer", "grant-upload", "20990000000016", "--branch", "0101"],
    "grant-staff": [
        "customer",
        "grant-staff",
        "20990000000016",
        "--permission",
        "run_imports",
    ],
    "reset-password": ["customer", "reset-password", "20990000000016"],
    "demo": ["demo"],
}
DATABASE_COMMANDS = ["import", "runs", "customer add", "grant-upload", "grant-staff"]
PARAMS_COMMANDS = ["init", "check", "import", "runs", "customer add", "demo"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out + err


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    params = tmp_path / "params"
    shutil.copytree(REPO / "params", params)
    monkeypatch.setenv("LEERLINGIMPORT_PARAMS_DIR", str(params))
    monkeypatch.setenv("LEERLINGIMPORT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("LEERLINGIMPORT_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'x.db'}")
    return tmp_path


@pytest.mark.parametrize("command", PARAMS_COMMANDS)
def test_broken_params(command: str, env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env / "params" / "schools" / "99ZZ.yaml").write_text("brin: [99ZZ\n", encoding="utf-8")
    status, text = run(COMMANDS[command], capsys)
    assert status == 2 and "geen geldige YAML" in text


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_bad_setting_in_the_environment(
    command: str, env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LEERLINGIMPORT_OTP_VALID_HOURS", "drie dagen")
    status, text = run(COMMANDS[command], capsys)
    assert status == 2 and "OTP_VALID_HOURS" in text


@pytest.mark.parametrize("command", [*DATABASE_COMMANDS, "init"])
def test_the_database_is_down(
    command: str, env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"
    monkeypatch.setenv("LEERLINGIMPORT_DATABASE_URL", url)
    status, text = run(COMMANDS[command], capsys)
    assert status == 2 and "niet bereikbaar" in text


@pytest.mark.parametrize("command", DATABASE_COMMANDS)
def test_the_database_was_never_initialised(
    command: str, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, text = run(COMMANDS[command], capsys)
    assert status == 2 and "leerlingimport init" in text


def test_mistakes_of_a_librarian(
    env: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LEERLINGIMPORT_DATABASE_URL", database_url)
    assert run(["init"], capsys)[0] == 0
    add = ["customer", "add", "--surname", "Smit", "--username", "rsmit"]
    assert run(add, capsys)[0] == 0
    status, text = run(add, capsys)  # the same username again
    assert status == 1 and "gebruikersnaam is al in gebruik" in text
    status, text = run(["customer", "reset-password", "99999999999999"], capsys)
    assert status == 1 and "geen actieve pas" in text
    status, text = run(["import", str(env / "weg.csv"), "--school", "99ZZ"], capsys)
    assert status == 1 and "niet te lezen" in text
    status, text = run(["import", str(SAMPLE), "--school", "12ab"], capsys)
    assert status == 2 and "99ZZ (OBS De Regenboog)" in text
    with pytest.raises(SystemExit) as caught:
        main(["check", str(SAMPLE), "--scool", "99ZZ"])
    assert caught.value.code == 2 and "ontbreken: --school" in capsys.readouterr().err


def test_usage_mistakes_are_answered_in_dutch(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["import", str(SAMPLE)])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "fout: deze argumenten ontbreken: --school" in err and "usage" not in err


def test_output_into_a_closed_pipe_is_no_traceback(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "leerlingimport", "generate", "--out", str(tmp_path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # like '| head -0'
        err = proc.stderr.read().decode()
    assert "Traceback" not in err and proc.returncode in (0, 1)
