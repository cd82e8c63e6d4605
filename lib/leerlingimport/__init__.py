"""leerlingimport: the yearly school pupil import of a Dutch public library.

The public API, for notebooks, flows and sessions. Names load on first use (PEP 562), so
``import leerlingimport`` and the command line stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "CheckResult": "leerlingimport.checking",
    "ImportResult": "leerlingimport.pipeline",
    "Ingested": "leerlingimport.intake",
    "Issue": "leerlingimport.issues",
    "LeerlingimportError": "leerlingimport.errors",
    "Params": "leerlingimport.params",
    "SchoolParams": "leerlingimport.params",
    "Settings": "leerlingimport.settings",
    "Validated": "leerlingimport.validation",
    "check_file": "leerlingimport.checking",
    "ingest": "leerlingimport.intake",
    "load_params": "leerlingimport.params",
    "make_engine": "leerlingimport.db",
    "run_import": "leerlingimport.pipeline",
    "validate": "leerlingimport.validation",
}

__all__ = [
    "CheckResult",
    "ImportResult",
    "Ingested",
    "Issue",
    "LeerlingimportError",
    "Params",
    "SchoolParams",
    "Settings",
    "Validated",
    "check_file",
    "ingest",
    "load_params",
    "make_engine",
    "run_import",
    "validate",
]

if TYPE_CHECKING:
    from leerlingimport.checking import CheckResult, check_file
    from leerlingimport.db import make_engine
    from leerlingimport.errors import LeerlingimportError
    from leerlingimport.intake import Ingested, ingest
    from leerlingimport.issues import Issue
    from leerlingimport.params import Params, SchoolParams, load_params
    from leerlingimport.pipeline import ImportResult, run_import
    from leerlingimport.settings import Settings
    from leerlingimport.validation import Validated, validate


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'leerlingimport' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
