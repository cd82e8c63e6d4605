"""The start-up check that the XML defences are in effect before any upload is read.

Uploaded XML is read two ways: EDEXML through defusedxml (DTDs forbidden), and the XML inside
XLSX/ODS by python-calamine after a scan that refuses any DTD or entity declaration (calamine's
reader expands no entities either). openpyxl (reports, fallbacks) must route through defusedxml;
odfpy always does. A zip with overlapping entries is refused by our own check, whatever the
Python version.
"""

from __future__ import annotations

import importlib.util
from functools import cache

from leerlingimport.errors import ConfigError


def parser_safety_problems() -> list[str]:
    """What is wrong with the XML defences of this installation (empty when all is well)."""
    if importlib.util.find_spec("defusedxml") is None:
        return ["defusedxml is niet geïnstalleerd"]
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        return ["openpyxl gebruikt defusedxml niet (staat OPENPYXL_DEFUSEDXML uit?)"]
    return []


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
