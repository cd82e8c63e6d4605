from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leerlingimport.errors import ConfigError, ParamsError
from leerlingimport.params import load_params

from .conftest import REPO


@pytest.fixture
def params_dir(tmp_path: Path) -> Path:
    target = tmp_path / "params"
    shutil.copytree(REPO / "params", target)
    return target


def test_demo_params_load_with_defaults(params_dir: Path) -> None:
    params = load_params(params_dir)
    assert set(params.schools) == {"99ZZ", "99YY", "99XX", "99WW"}
    school = params.school("99yy")
    assert school.branch == "0101"
    assert school.deregistration.mode == "end_of_school_year"
    assert school.deregistration.hold_above_count == 10  # default
    assert school.student_number.strip_leading_zeros is False  # default
    assert params.library.card_prefix == "2099"


def test_every_problem_in_every_file_is_reported_at_once(params_dir: Path) -> None:
    (params_dir / "library.yaml").write_text("name: X\ncard_prefx: '20'\n", encoding="utf-8")
    (params_dir / "schools" / "99ZZ.yaml").write_text(
        "brin: 99ZZ\nname: A\nbranch: 101\nsector: mbo\n"
        "deregistration:\n  mode: soon\n  hold_above_percent: 130\n",
        encoding="utf-8",
    )
    (params_dir / "schools" / "99YY.yaml").write_text(
        "brin: 99AA\nname: B\nbranch: '0101'\n", encoding="utf-8"
    )
    with pytest.raises(ParamsError) as caught:
        load_params(params_dir)
    problems = caught.value.problems
    assert any(p.startswith("library.yaml: card_prefx: onbekende sleutel") for p in problems)
    assert any(p.startswith("schools/99ZZ.yaml: branch: 101 is een getal") for p in problems)
    assert any(p.startswith("schools/99ZZ.yaml: sector:") for p in problems)
    assert any(p.startswith("schools/99ZZ.yaml: deregistration.mode:") for p in problems)
    assert any(
        p.startswith("schools/99ZZ.yaml: deregistration.hold_above_percent:") for p in problems
    )
    assert any(p.startswith("schools/99YY.yaml: brin: '99AA' past niet") for p in problems)
    assert len(problems) == 6
    assert "De instellingen in params/ kloppen niet" in caught.value.user_message
    assert caught.value.exit_status == 2


def test_missing_required_keys_and_files(params_dir: Path) -> None:
    (params_dir / "library.yaml").unlink()
    (params_dir / "schools" / "99WW.yaml").write_text("name: C\n", encoding="utf-8")
    with pytest.raises(ParamsError) as caught:
        load_params(params_dir)
    assert caught.value.problems == [
        "library.yaml: bestand ontbreekt",
        "schools/99WW.yaml: brin: verplichte sleutel ontbreekt",
        "schools/99WW.yaml: branch: verplichte sleutel ontbreekt",
    ]


def test_branch_number_range_and_unknown_school(params_dir: Path) -> None:
    (params_dir / "schools" / "99WW.yaml").write_text(
        "brin: 99WW\nname: C\nbranch: '9995'\n", encoding="utf-8"
    )
    with pytest.raises(ParamsError, match="0001 tot en met 9994"):
        load_params(params_dir)
    (params_dir / "schools" / "99WW.yaml").unlink()
    with pytest.raises(ConfigError, match=r"'12AB' is niet bekend. Bekende scholen: 99XX"):
        load_params(params_dir).school("12AB")


def test_broken_yaml_is_a_problem_not_a_crash(params_dir: Path) -> None:
    (params_dir / "schools" / "99WW.yaml").write_text("brin: [99WW\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"schools/99WW\.yaml: geen geldige YAML"):
        load_params(params_dir)
