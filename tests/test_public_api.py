"""The curated public API: sorted, complete, every name real, and light to import."""

from __future__ import annotations

import subprocess
import sys

import leerlingimport


def test_all_is_sorted_and_matches_the_exports() -> None:
    assert leerlingimport.__all__ == sorted(leerlingimport.__all__)
    assert set(leerlingimport.__all__) == set(leerlingimport._EXPORTS)


def test_every_name_resolves() -> None:
    for name in leerlingimport.__all__:
        assert getattr(leerlingimport, name) is not None


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = "import sys, leerlingimport; print(sorted({'pandas', 'sqlalchemy'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_steps_are_the_functions_the_readme_shows() -> None:
    """``from leerlingimport import ingest`` is the function, also after its module loaded."""
    import leerlingimport.intake.reader
    import leerlingimport.validation  # noqa: F401
    from leerlingimport import check_file, ingest, run_import, validate

    for step in (ingest, validate, check_file, run_import):
        assert callable(step) and step.__name__ in (
            "ingest",
            "validate",
            "check_file",
            "run_import",
        )
