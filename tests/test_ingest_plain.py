"""The fast reader of quote-free text answers exactly what the quoting-aware path answers."""

from __future__ import annotations

import dataclasses

import pytest

from leerlingimport.intake import Ingested, ingest
from leerlingimport.intake.plain import scan
from leerlingimport.intake.plain import tidy as tidy_body

from .fixtures import WISE_HEADER, csv_bytes, pupils, wise_rows


def _lines(tidy: bool) -> list[str]:
    """A header, the clean twin's rows, and (unless ``tidy``) rows that every clean-up and
    every field-count check has something to do with."""
    body = csv_bytes(WISE_HEADER, wise_rows(pupils(20))).decode().split("\r\n")[:-1]
    body[3] = body[3].replace(";", ";Zoe\u0308;", 1)  # a field too many, not NFC
    body[5] = ";".join(body[5].split(";")[:-2])  # two fields short
    body[6] += ";"  # a trailing separator
    body.insert(8, "")
    body.insert(9, ";;;;;;;;;")
    if not tidy:
        body[10] = body[10].replace(";", "; Zo\u00c3\u00ab  de\u200b;", 1)
        body[12] = body[12].replace(";", ";\u2028Ali\t;", 1)
        body.insert(14, "(dd-mm-jjjj);;;;;;;;;")
        body.append("Totaal: 20 leerlingen;;;;;;;;;")
    return body


def _quoted(lines: list[str], newline: str) -> bytes:
    """The same file with one field quoted, which only the quoting-aware path reads."""
    first = lines[1].split(";")
    first[0] = f'"{first[0]}"'
    return newline.join([lines[0], ";".join(first), *lines[2:]]).encode()


def _answer(read: Ingested) -> tuple[object, ...]:
    issues = [dataclasses.astuple(i) for i in read.issues]
    return read.table.to_dict("list"), read.columns, read.format.header_row, issues


@pytest.mark.parametrize("tidy", [True, False])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_the_fast_reader_answers_as_the_exact_path(tidy: bool, newline: str) -> None:
    lines = _lines(tidy)
    plain, quoted = newline.join(lines).encode(), _quoted(lines, newline)
    scanned = scan(plain)
    assert scanned is not None and scan(quoted) is None
    assert tidy_body(scanned, 1, ";") is tidy
    fast, exact = ingest(plain, "x.csv"), ingest(quoted, "x.csv")
    assert _answer(fast) == _answer(exact)
    assert {i.code for i in fast.issues} >= {"too-many-fields", "too-few-fields"}
    assert 4 in {i.row for i in fast.issues if i.code == "too-many-fields"}  # the file's row


def test_a_lone_carriage_return_or_a_long_line_takes_the_exact_path() -> None:
    lines = _lines(True)
    assert scan("\r".join(lines).encode()) is None
    assert scan("\n".join([*lines, "x" * 70_000]).encode()) is None
    old_mac, unix = ingest("\r".join(lines).encode(), "x.csv"), ingest("\n".join(lines).encode())
    assert _answer(old_mac) == _answer(unix)
