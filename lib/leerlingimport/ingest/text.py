"""CSV and other delimited text: encoding, delimiter, and a structural pass before any table.

Encoding: a BOM (UTF-8 or UTF-16) decides; else strict UTF-8; else Windows-1252 (Dutch Excel's
"CSV (gescheiden door lijstscheidingsteken)"). Characters are never replaced silently.
Rows with more or fewer fields than the header are reported by row, never shifted.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass
from typing import Any

from leerlingimport.ingest.containers import Refused

DELIMITERS = (";", ",", "\t", "|")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def decode(data: bytes) -> DecodedText:
    """Decode the bytes without ever replacing a character."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), encoding)
            except UnicodeDecodeError as err:
                raise Refused(
                    "unknown-encoding", f"ongeldige bytes op positie {err.start}"
                ) from None
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return _checked(data.decode("cp1252"), "windows-1252")
    except UnicodeDecodeError as err:
        raise Refused("unknown-encoding", f"onbekend teken op positie {err.start}") from None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _checked(text: str, encoding: str) -> DecodedText:
    if "\ufffd" in text:
        raise Refused("unknown-encoding", "het bestand bevat al vervangingstekens (�)")
    control = _CONTROL.search(text)
    if control:
        raise Refused("unknown-encoding", f"stuurteken {ord(control[0]):#04x}")
    return DecodedText(text.removeprefix("\ufeff"), encoding)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header-ish lines most consistently (``;`` on a tie)."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    best, best_score = ";", (0, 0)
    for delimiter in DELIMITERS:
        counts = [_count_outside_quotes(line, delimiter) for line in lines]
        top = max(counts, default=0)
        if top == 0:
            continue
        score = (sum(1 for c in counts if c == top), top)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def split_records(text: str, delimiter: str) -> tuple[list[int], list[list[str]]]:
    """(record numbers, records): the number is the row a person sees in a spreadsheet
    program. An unbalanced quote raises Refused with the line where the record starts."""
    lines = text.splitlines()
    if '"' not in text:  # no quoting at all: a record is a line (most system exports)
        return list(range(1, len(lines) + 1)), [line.split(delimiter) for line in lines]
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    line = 1
    try:
        for fields in reader:
            if any(f.count("\n") > 2 for f in fields):
                break  # a quote that never closes swallows the lines after it
            records.append(fields)
            line = reader.line_num + 1
        else:
            return list(range(1, len(records) + 1)), records
    except csv.Error:
        pass
    raise Refused("unbalanced-quote", str(line))


@dataclass(frozen=True)
class PlainBody:
    """The body of a quote-free delimited file: mapped columns, and the lines that did not
    have the header's number of fields (split in Python, reported by the caller)."""

    columns: dict[str, Any]  # field → pyarrow string array, for the well-formed lines
    numbers: list[int]  # their row numbers
    odd_rows: list[list[str]]
    odd_numbers: list[int]


def read_plain_body(
    lines: list[str], first_number: int, delimiter: str, fields: dict[str, int], width: int
) -> PlainBody:
    """Hand the well-formed lines of a quote-free body to pyarrow's CSV reader (in C), keeping
    every row's number; lines with another number of fields are returned apart."""
    import io

    import pyarrow as pa
    import pyarrow.csv as pcsv

    counts = [line.count(delimiter) for line in lines]
    good = [i for i, c in enumerate(counts) if c == width - 1]
    odd = [i for i, c in enumerate(counts) if c != width - 1 and lines[i].strip()]
    names = [f"c{i}" for i in range(width)]
    wanted = {f"c{col}": field for field, col in fields.items()}
    if good:
        table = pcsv.read_csv(
            io.BytesIO("\n".join(lines[i] for i in good).encode("utf-8")),
            read_options=pcsv.ReadOptions(column_names=names),
            parse_options=pcsv.ParseOptions(
                delimiter=delimiter, quote_char=False, ignore_empty_lines=False
            ),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                include_columns=list(wanted),
            ),
        )
        columns = {field: table.column(name) for name, field in wanted.items()}
    else:
        columns = {field: pa.array([], pa.string()) for field in wanted.values()}
    return PlainBody(
        columns,
        [first_number + i for i in good],
        [lines[i].split(delimiter) for i in odd],
        [first_number + i for i in odd],
    )
