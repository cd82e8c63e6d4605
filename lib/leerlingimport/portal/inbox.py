"""The upload inbox: server-made names, sha256, mode 0600, nothing half written (UPL-02, UPL-07).

An upload is streamed to ``<data_dir>/inbox/.incoming/`` under a random name, checked there by a
child process, and only a file the check does not refuse is moved (``os.replace``) into the
inbox. The school's own file name is kept only as cleaned-up metadata.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

ALLOWED = (".csv", ".ods", ".xls", ".xlsx", ".zip")
ZIP = b"PK\x03\x04"
OLE = bytes.fromhex("D0CF11E0A1B11AE1")
# What a file must start with, by extension; a CSV must not start like a binary file.
MAGIC = {".xlsx": ZIP, ".ods": ZIP, ".zip": ZIP, ".xls": OLE}
BINARY_STARTS = (ZIP, OLE, b"\x89PNG", b"%PDF", b"GIF8", b"\xff\xd8\xff", b"\x7fELF", b"MZ")
CHUNK = 64 * 1024


class Refused(Exception):
    """A file refused before it was stored; the message is for the uploader."""


@dataclass(frozen=True)
class Received:
    path: Path
    extension: str
    sha256: str
    size: int


def clean_name(name: str | None) -> str:
    """The uploader's file name as safe metadata: no path, no control characters, 255 at most."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base) if c.isprintable())
    return base.strip()[:255] or "bestand"


def extension_of(name: str) -> str:
    """The allowed extension of ``name``; refuses anything else (UPL-02)."""
    if "\x00" in name or "%00" in name.lower():
        raise Refused(
            f"De bestandsnaam {clean_name(name)} is ongeldig. Geef het bestand een gewone naam."
        )
    extension = Path(name.lower()).suffix
    if extension not in ALLOWED:
        raise Refused(
            f"Een bestand van het type {extension or 'zonder extensie'} kan niet worden "
            "gebruikt. Stuur een CSV-, ODS-, XLS-, XLSX- of ZIP-bestand."
        )
    return extension


def check_start(extension: str, head: bytes) -> None:
    """Refuse a file whose first bytes do not fit its extension (a disguised file)."""
    wanted = MAGIC.get(extension)
    fits = head.startswith(wanted) if wanted else not head.startswith(BINARY_STARTS)
    if not head or not fits:
        raise Refused(
            f"De inhoud van het bestand past niet bij de extensie {extension}. Sla het bestand "
            "opnieuw op vanuit uw leerlingadministratie en stuur het nog eens."
            if head
            else "Het bestand is leeg. Stuur het bestand met de leerlingen."
        )


def receive(stream: BinaryIO, name: str, inbox: Path) -> Received:
    """Stream an upload to a new file under ``inbox/.incoming`` with a random name."""
    extension = extension_of(name)
    head = stream.read(CHUNK)
    check_start(extension, head)
    incoming = inbox / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = incoming / f"{uuid.uuid4().hex}{extension}"
    digest = hashlib.sha256()
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            chunk = head
            while chunk:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
                chunk = stream.read(CHUNK)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Received(path, extension, digest.hexdigest(), size)


def keep(received: Received, inbox: Path) -> str:
    """Move a checked file into the inbox; returns its stored name."""
    os.replace(received.path, inbox / received.path.name)
    return received.path.name
