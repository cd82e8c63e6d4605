"""The start-up check proves the XML defences are in effect, and refuses to run without them."""

from __future__ import annotations

import os
import subprocess
import sys

from leerlingimport.intake.safety import parser_safety_problems

from .conftest import REPO


def test_defences_are_in_effect_here() -> None:
    import openpyxl

    assert openpyxl.DEFUSEDXML is True
    assert parser_safety_problems() == []


def test_check_refuses_to_read_uploads_when_openpyxl_is_not_defused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    upload = tmp_path / "x.csv"
    upload.write_bytes(b"LEERLINGNUMMER;ROEPNAAM;NAAM;GROEP\r\n1;Sem;Vries;8A\r\n")
    env = {**os.environ, "OPENPYXL_DEFUSEDXML": "False"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "leerlingimport",
            "--params-dir",
            str(REPO / "params"),
            "check",
            str(upload),
            "--school",
            "99ZZ",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 2
    assert "openpyxl gebruikt defusedxml niet" in out.stderr
    assert "Traceback" not in out.stderr
