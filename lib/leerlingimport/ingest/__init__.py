"""Ingest: from the bytes of an upload to the canonical pupil table (DESIGN §5.1)."""

from leerlingimport.ingest.reader import FileFormat, Ingested, ingest

__all__ = ["FileFormat", "Ingested", "ingest"]
