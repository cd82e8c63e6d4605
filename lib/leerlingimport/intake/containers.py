"""What a file is, judged by its bytes, and whether it is safe to hand to a parser.

Every check here runs before any spreadsheet or XML parser sees the file: ZIP limits (entries,
sizes, ratio, nesting, paths, symlinks, encryption, overlapping entries), encrypted and
macro-enabled Office files, and XML with a DTD.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

Container = Literal["csv", "xlsx", "xls", "ods", "zip", "edexml"]

MAX_ENTRIES = 50
# security.md proposes 50 MiB for one school; a 100,000-pupil XLSX with inline strings inflates
# to about 90 MB, so the cap is higher. The per-entry ratio check still stops bombs early.
MAX_TOTAL_UNCOMPRESSED = 256 * 1024 * 1024
MAX_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"  # an archive that is only its end record: no files at all
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
ARCHIVE_SUFFIXES = (".zip", ".7z", ".rar", ".gz", ".tgz", ".tar", ".jar", ".bz2", ".xz", ".cab")
_DTD = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)
PUPIL_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls", ".ods", ".xml")


Words = str | tuple[str, str]  # the same text for every language, or (Dutch, English)


class Refused(Exception):
    """The file may not be parsed; ``code``, ``detail`` and ``details`` become the issue, and
    ``row`` (when given) says where the trouble is in the file."""

    def __init__(
        self, code: str, detail: Words = "", *, row: int | None = None, **details: Any
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.row = row
        self.details = details

    def detail_in(self, language: str) -> str:
        """The detail in ``language`` ("nl" or "en")."""
        if isinstance(self.detail, tuple):
            return self.detail[0] if language == "nl" else self.detail[1]
        return self.detail


@dataclass(frozen=True)
class Detected:
    container: Container
    data: bytes
    name: str  # the file (or zip member) name, for messages only


def detect(data: bytes, name: str) -> Detected:
    """Decide the container from the content; raise Refused for what must not be parsed."""
    if not data.strip():
        raise Refused("empty-file")
    if data.startswith(OLE_MAGIC):
        return Detected(_ole_kind(data), data, name)
    if data.startswith(EMPTY_ZIP_MAGIC):
        raise Refused("no-pupil-file")
    if data.startswith(ZIP_MAGIC):
        members = check_zip(data)
        return Detected(_zip_kind(data, members), data, name)
    if _looks_like_xml(data):
        check_xml(data)
        return Detected("edexml", data, name)
    if _looks_binary(data):
        raise Refused("unsupported-file", _binary_hint(data))
    return Detected("csv", data, name)


def check_zip(data: bytes) -> list[zipfile.ZipInfo]:
    """Refuse a ZIP (also XLSX and ODS) that could hurt a parser; return its members."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise Refused(
            "unsupported-file", (f"beschadigd zip-bestand: {err}", f"damaged zip file: {err}")
        ) from None
    if len(members) > MAX_ENTRIES:
        raise Refused(
            "unsafe-archive",
            (f"meer dan {MAX_ENTRIES} bestanden", f"more than {MAX_ENTRIES} files"),
        )
    if len({m.filename for m in members}) < len(members):
        raise Refused(
            "unsafe-archive", ("twee bestanden met dezelfde naam", "two files with the same name")
        )
    total = 0
    for info in members:
        _check_member(info)
        total += info.file_size
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise Refused(
            "unsafe-archive",
            (
                f"uitgepakt groter dan {MAX_TOTAL_UNCOMPRESSED >> 20} MB",
                f"larger than {MAX_TOTAL_UNCOMPRESSED >> 20} MB unpacked",
            ),
        )
    _check_no_overlap(data, members)
    return members


def _check_member(info: zipfile.ZipInfo) -> None:
    name = info.filename
    if name.startswith(("/", "\\")) or "\\" in name or ".." in name.split("/") or ":" in name:
        raise Refused(
            "unsafe-archive", (f"ongeldig pad '{name[:60]}'", f"invalid path '{name[:60]}'")
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        raise Refused(
            "unsafe-archive", (f"snelkoppeling '{name[:60]}'", f"symbolic link '{name[:60]}'")
        )
    if info.flag_bits & 0x1:
        raise Refused("encrypted-file")
    ratio = info.file_size / max(info.compress_size, 1)
    if ratio > MAX_RATIO and info.file_size > 1024 * 1024:
        raise Refused(
            "unsafe-archive",
            (
                f"'{name[:60]}' pakt verdacht sterk uit",
                f"'{name[:60]}' unpacks suspiciously large",
            ),
        )


def _check_no_overlap(data: bytes, members: list[zipfile.ZipInfo]) -> None:
    """Refuse entries whose data overlap (quoted-overlap zip bombs, CVE-2024-0450)."""
    spans = []
    for info in members:
        start = info.header_offset
        header = data[start : start + 30]
        if len(header) < 30 or header[:4] != ZIP_MAGIC:
            raise Refused(
                "unsafe-archive",
                ("ongeldige bestandskop in het zip-bestand", "invalid file header in the zip"),
            )
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        spans.append((start, start + 30 + name_len + extra_len + info.compress_size))
    spans.sort()
    for (_, end), (next_start, _) in pairwise(spans):
        if end > next_start:
            raise Refused(
                "unsafe-archive",
                ("overlappende bestanden (zip-bom)", "overlapping files (zip bomb)"),
            )


def read_member(archive: zipfile.ZipFile, name: str | zipfile.ZipInfo) -> bytes:
    """A member's bytes; a forged size, a bad checksum or an unknown method is a refusal."""
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as err:
        raise Refused(
            "unsafe-archive",
            (f"beschadigd of vervalst bestand ({err})", f"damaged or forged file ({err})"),
        ) from None


def _zip_kind(data: bytes, members: list[zipfile.ZipInfo]) -> Container:
    names = {m.filename for m in members}
    archive = zipfile.ZipFile(io.BytesIO(data))
    if any(n.lower().endswith(ARCHIVE_SUFFIXES) for n in names):
        raise Refused(
            "unsafe-archive", ("een archief in een archief", "an archive inside an archive")
        )
    if "[Content_Types].xml" in names:
        types = read_member(archive, "[Content_Types].xml")
        if b"macroEnabled" in types or "xl/vbaProject.bin" in names:
            raise Refused("macro-file", "VBA-project")
        if b"spreadsheetml" not in types:
            raise Refused(
                "unsupported-file",
                ("Office-bestand maar geen werkmap", "an Office file but not a workbook"),
            )
        return "xlsx"
    if "mimetype" in names:
        if read_member(archive, "mimetype").strip() != ODS_MIME:
            raise Refused(
                "unsupported-file",
                ("OpenDocument maar geen rekenblad", "OpenDocument but not a spreadsheet"),
            )
        if any(n.startswith(("Basic/", "Scripts/")) for n in names):
            raise Refused("macro-file", ("Basic-scripts", "Basic scripts"))
        return "ods"
    return "zip"


def _ole_kind(data: bytes) -> Container:
    import olefile

    try:
        ole = olefile.OleFileIO(data)
    except (OSError, ValueError) as err:
        raise Refused(
            "unsupported-file", (f"beschadigd Office-bestand: {err}", f"damaged Office file: {err}")
        ) from None
    with ole:
        streams = {"/".join(map(str, s)) for s in ole.listdir(streams=True, storages=True)}
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        raise Refused("encrypted-file")
    if any(s.startswith(("_VBA_PROJECT_CUR", "Macros")) for s in streams):
        raise Refused("macro-file", "VBA-project")
    if "Workbook" not in streams and "Book" not in streams:
        raise Refused(
            "unsupported-file",
            ("Office-bestand maar geen werkmap", "an Office file but not a workbook"),
        )
    return "xls"


def check_xml(data: bytes) -> None:
    """Refuse XML with a document type declaration: no entities, no external references."""
    if _DTD.search(data):
        raise Refused("unsafe-xml", "DOCTYPE/ENTITY")


def _looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<?xml") or head.startswith(b"<EDEX") or head.startswith(b"<!DOCTYPE")


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs but is text
        return False
    return b"\x00" in sample and utf16_without_bom(sample) is None


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` for text saved as UTF-16 without a byte order mark
    (every other byte NUL, as ASCII text in UTF-16 is); None otherwise."""
    sample = data[:8192]
    if len(sample) < 8:
        return None
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _binary_hint(data: bytes) -> Words:
    known = {
        b"\x89PNG": ("een PNG-afbeelding", "a PNG image"),
        b"%PDF": ("een PDF", "a PDF"),
        b"\xff\xd8\xff": ("een JPEG-foto", "a JPEG photo"),
        b"GIF8": ("een GIF-afbeelding", "a GIF image"),
        b"7z\xbc\xaf": ("een 7-Zip-archief", "a 7-Zip archive"),
        b"Rar!": ("een RAR-archief", "a RAR archive"),
        b"\x1f\x8b": ("een gzip-archief", "a gzip archive"),
    }
    for magic, (nl, en) in known.items():
        if data.startswith(magic):
            return (f"het is {nl}", f"it is {en}")
    return ("binaire inhoud", "binary content")
