"""The start-up check that the XML defences are in effect before any upload is read.

Uploaded XML is read two ways: EDEXML through defusedxml (DTDs forbidden), and the XML inside
XLSX/ODS by python-calamine after a scan that refuses any DTD or entity declaration (calamine's
reader expands no entities either). openpyxl (reports, fallbacks) must route through defusedxml;
odfpy always does. A zip with overlapping entries is refused by our own check, whatever the
Python version.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

from leerlingimport.errors import ConfigError


def parser_safety_problems() -> list[str]:
    """What is wrong with the XML defences of this installation (empty when all is well)."""
    if importlib.util.find_spec("defusedxml") is None:
        return ["defusedxml is niet geïnstalleerd"]
    if not _openpyxl_uses_defusedxml():
        return ["openpyxl gebruikt defusedxml niet (staat OPENPYXL_DEFUSEDXML uit?)"]
    return []


def _openpyxl_uses_defusedxml() -> bool:
    """openpyxl's own ``DEFUSEDXML``, without importing all of openpyxl (a second of a CSV
    check's start-up): its ``openpyxl/xml/__init__.py``, which decides it, run on its own."""
    if "openpyxl" in sys.modules:
        return bool(sys.modules["openpyxl"].DEFUSEDXML)
    package = importlib.util.find_spec("openpyxl")
    if package is None or not package.submodule_search_locations:
        return False
    source = Path(next(iter(package.submodule_search_locations))) / "xml" / "__init__.py"
    spec = importlib.util.spec_from_file_location("_openpyxl_xml_settings", source)
    if spec is None or spec.loader is None:
        return False
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    return bool(settings.DEFUSEDXML)


@cache
def ensure_parser_safety() -> None:
    """Raise ConfigError when the XML defences are not in effect (checked once per process)."""
    problems = parser_safety_problems()
    if problems:
        raise ConfigError(
            "Uploads worden niet gelezen: de beveiliging van de XML-lezers staat niet aan ("
            + "; ".join(problems)
            + "). Herinstalleer het pakket of zet OPENPYXL_DEFUSEDXML uit de omgeving."
        )
