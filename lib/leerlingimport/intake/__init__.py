"""Ingest: from the bytes of an upload to the canonical pupil table (DESIGN §5.1).

Names load on first use, so the capped spreadsheet reader's child process (``bounded``)
imports only what it needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["FileFormat", "Ingested", "ingest"]

if TYPE_CHECKING:
    from leerlingimport.intake.reader import FileFormat, Ingested, ingest


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'leerlingimport.intake' has no attribute {name!r}")
    return getattr(importlib.import_module("leerlingimport.intake.reader"), name)
