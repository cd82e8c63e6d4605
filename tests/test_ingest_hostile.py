"""Hostile and broken files: each is refused with an error issue and exit status 1, with
bounded memory, and never with a traceback (reference/security.md §1.4, §1.5)."""

from __future__ import annotations

import io
import json
import stat
import struct
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from leerlingimport.cli import main
from leerlingimport.intake import ingest
from leerlingimport.synthetic import exports

from .conftest import REPO
from .fixtures import PO, WISE_HEADER, csv_bytes, pupils, replace_member, wise_rows

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)
XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("leerlingen.csv", "w") as f:
        chunk = b" " * (1 << 20)
        for _ in range(400):  # 400 MB of spaces, about 400 KB compressed
            f.write(chunk)
    return out.getvalue()


def _forged_size() -> bytes:
    """A member that declares 1 KB but inflates to 20 MB."""
    data = bytearray(zip_one("leerlingen.csv", b"x" * (20 << 20)))
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = data.find(sig)
        data[pos + offset : pos + offset + 4] = struct.pack("<I", 1024)
    return bytes(data)


def _overlap() -> bytes:
    """Two central directory entries pointing at one local file (the quoted-overlap trick)."""
    data = bytearray(
        zip_many({"a.csv": csv_bytes(WISE_HEADER, wise_rows(pupils(2))), "b.csv": b"x"})
    )
    second = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    data[second + 42 : second + 46] = struct.pack("<I", 0)
    return bytes(data)


def zip_one(name: str, content: bytes) -> bytes:
    return zip_many({name: content})


def zip_many(members: dict[str, bytes], attr: int | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            info = zipfile.ZipInfo(name)
            if attr is not None:
                info.external_attr = attr
            zf.writestr(info, content)
    return out.getvalue()


def _xlsx() -> bytes:
    return exports.magister_xlsx(PO, pupils(4))


def _macro() -> bytes:
    data = _xlsx()
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    data = replace_member(
        data,
        "[Content_Types].xml",
        types.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml"),
    )
    return zip_add(data, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0fake-vba")


def zip_add(archive: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO(archive)
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr(name, content)
    return out.getvalue()


def _encrypted() -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(_xlsx())).encrypt("geheim", out)
    return out.getvalue()


def _in_sheet(prefix: bytes) -> bytes:
    data = _xlsx()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet2.xml")
    body = sheet.split(b"?>", 1)[-1]
    return replace_member(
        data, "xl/worksheets/sheet2.xml", prefix + body.replace(b"<sheetData>", b"<sheetData>&xxe;")
    )


def _ods_xxe() -> bytes:
    data = exports.handmade_ods(PO, pupils(3))
    content = zipfile.ZipFile(io.BytesIO(data)).read("content.xml")
    return replace_member(data, "content.xml", XXE + content.split(b"?>", 1)[-1])


def _far_cell_xlsx(ref: str) -> bytes:
    """A 5 KB workbook whose one stray cell implies a sheet of billions of cells."""
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(WISE_HEADER)
    sheet.append(wise_rows(pupils(1))[0])
    sheet[ref] = "x"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _far_cell_xls() -> bytes:
    import xlwt

    wb = xlwt.Workbook()
    sheet = wb.add_sheet("Leerlingen")
    for col, header in enumerate(WISE_HEADER):
        sheet.write(0, col, header)
    sheet.write(65535, 255, "x")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _repeated_ods() -> bytes:
    """A 3 KB ODS whose one cell is repeated over 16,384 columns and 3,000 rows."""
    data = exports.handmade_ods(PO, pupils(2))
    content = zipfile.ZipFile(io.BytesIO(data)).read("content.xml")
    bomb = (
        b'<table:table-row table:number-rows-repeated="3000"><table:table-cell '
        b'table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p>'
        b"</table:table-cell></table:table-row></table:table>"
    )
    return replace_member(data, "content.xml", content.replace(b"</table:table>", bomb, 1))


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "cell at XFD1048576 (XLSX)": (lambda: _far_cell_xlsx("XFD1048576"), "sheet-too-large"),
    "cell at XFD5000 (XLSX)": (lambda: _far_cell_xlsx("XFD5000"), "sheet-too-large"),
    "cell at IV65536 (XLS)": (_far_cell_xls, "sheet-too-large"),
    "cell repeated 49 million times (ODS)": (_repeated_ods, "sheet-too-large"),
    "zip bomb (400 MB)": (_bomb, "unsafe-archive"),
    "forged declared size": (_forged_size, "unsafe-archive"),
    "quoted overlap": (_overlap, "unsafe-archive"),
    "10,000 entries": (
        lambda: zip_many({f"{i}.csv": b"" for i in range(10_000)}),
        "unsafe-archive",
    ),
    "path traversal": (lambda: zip_one("../../evil.csv", b"a;b"), "unsafe-archive"),
    "absolute path": (lambda: zip_one("/abs/evil.csv", b"a;b"), "unsafe-archive"),
    "symlink member": (
        lambda: zip_many({"l.csv": b"/etc/passwd"}, (stat.S_IFLNK | 0o777) << 16),
        "unsafe-archive",
    ),
    "nested zip": (lambda: zip_one("inner.zip", zip_one("a.csv", b"x")), "unsafe-archive"),
    "billion laughs (EDEXML)": (lambda: LAUGHS + b"<EDEX>&lol9;</EDEX>", "unsafe-xml"),
    "billion laughs (XLSX)": (lambda: _in_sheet(LAUGHS.replace(b"lol9", b"xxe")), "unsafe-xml"),
    "XXE (XLSX)": (lambda: _in_sheet(XXE), "unsafe-xml"),
    "XXE (ODS)": (_ods_xxe, "unsafe-xml"),
    "macro workbook": (_macro, "macro-file"),
    "encrypted workbook": (_encrypted, "encrypted-file"),
    "PNG renamed .csv": (
        lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
        "unsupported-file",
    ),
    "random bytes": (lambda: bytes(range(256)) * 8, "unsupported-file"),
    "empty file": (lambda: b"", "empty-file"),
    "header only": (lambda: csv_bytes(WISE_HEADER, []), "no-data-rows"),
    "BSN column": (
        lambda: csv_bytes(
            ["Leerlingnummer", "Roepnaam", "Achternaam", "Klas", "BSN"],
            [["1", "Sem", "Vries", "8A", "999999990"]],
        ),
        "forbidden-column",
    ),
}


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for i, (label, (make, _code)) in enumerate(HOSTILE.items()):
        paths[label] = folder / f"{i:02d}.upload"
        paths[label].write_bytes(make())
    return paths


@pytest.mark.parametrize("label", list(HOSTILE))
def test_hostile_file_is_refused_with_bounded_memory(
    label: str, hostile_files: dict[str, Path]
) -> None:
    data = hostile_files[label].read_bytes()
    tracemalloc.start()
    try:
        read = ingest(data, "upload")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read.rejected, read.issues
    assert HOSTILE[label][1] in [i.code for i in read.issues]
    assert peak < 64 * 1024 * 1024, f"{label}: {peak / 1e6:.0f} MB"
    assert len(read.table) == 0
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else None
    if hostname:
        assert all(hostname not in i.message for i in read.issues)


@pytest.mark.parametrize(
    "label", ["zip bomb (400 MB)", "XXE (XLSX)", "encrypted workbook", "BSN column", "header only"]
)
def test_cli_check_exits_1_with_json_and_no_traceback(
    label: str, hostile_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        [
            "--params-dir",
            str(REPO / "params"),
            "check",
            str(hostile_files[label]),
            "--school",
            "99ZZ",
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert status == 1
    assert "Traceback" not in out + err
    report = json.loads(out)
    assert report["valid_rows"] == 0
    assert HOSTILE[label][1] in [i["code"] for i in report["issues"]]


def test_bsn_values_never_reach_the_table_or_the_messages(hostile_files: dict[str, Path]) -> None:
    read = ingest(hostile_files["BSN column"].read_bytes(), "x.csv")
    text = " ".join(i.message for i in read.issues) + read.table.to_csv()
    assert "999999990" not in text
    assert read.issues[0].column == "BSN"
