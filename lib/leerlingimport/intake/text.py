"""CSV and other delimited text: encoding, delimiter, and a structural pass before any table.

Encoding: a BOM (UTF-8 or UTF-16) decides; else strict UTF-8; else Windows-1252 (Dutch Excel's
"CSV (gescheiden door lijstscheidingsteken)"). Characters are never replaced silently.
Rows with more or fewer fields than the header are reported by row, never shifted.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from leerlingimport.intake.containers import Refused, utf16_without_bom

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

DELIMITERS = (";", ",", "\t", "|")
MAX_LINE = 65_536  # characters: a pupil row is a few hundred; longer is not a pupil file
MAX_LINES = 400_000  # line breaks: 200,000 pupils with a blank line each
MAX_FIELDS = 500  # fields on one line: pupil files have a few dozen
MAX_ODD_LINES = 1_000  # lines with another field count than the header, before we give up
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    other_encoding_lines: tuple[int, ...] = ()  # lines in Windows-1252 in a UTF-8 file


def lines_of(text: str, *, keepends: bool = False) -> list[str]:
    """The lines of CSV text, split only on the line breaks CSV knows (CR, LF, CRLF): a name
    holding U+2028 or a form feed stays on its line. Refuses a line too long to be a row."""
    newlines, returns, pairs = text.count("\n"), text.count("\r"), text.count("\r\n")
    breaks = newlines + returns - pairs
    if breaks > MAX_LINES:
        raise Refused("too-many-lines", found=_dotted(breaks), limit=_dotted(MAX_LINES))
    if keepends:
        lines = _split_keepends(text)
    else:
        if returns == 0 or newlines == 0 or returns == newlines == pairs:  # one kind of break
            lines = text.split("\n" if returns == 0 else "\r" if newlines == 0 else "\r\n")
        else:
            lines = _LINE_BREAK.split(text)
        if lines and lines[-1] == "" and text.endswith(("\n", "\r")):
            lines.pop()
    if lines and max(map(len, lines)) > MAX_LINE:
        longest = next(i for i, line in enumerate(lines) if len(line) > MAX_LINE)
        raise Refused("line-too-long", row=longest + 1, limit=f"{MAX_LINE:,}".replace(",", "."))
    return lines


def _dotted(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _split_keepends(text: str) -> list[str]:
    lines, start = [], 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def decode(data: bytes) -> DecodedText:
    """Decode the bytes without ever replacing a character; a UTF-8 file with some lines in
    Windows-1252 (two exports pasted together) is decoded line by line, and those lines are
    named."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _strictly(data, encoding, encoding)
    utf16 = utf16_without_bom(data)
    if utf16:
        return _strictly(data, utf16, "utf-16")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return _by_line(data)
    except UnicodeDecodeError as err:
        raise Refused(
            "unknown-encoding",
            (
                f"onbekend teken op positie {err.start}",
                f"unknown character at position {err.start}",
            ),
        ) from None


def _strictly(data: bytes, codec: str, name: str) -> DecodedText:
    """``data`` in ``codec``, which the file's own marks name: no other is tried."""
    try:
        return _checked(data.decode(codec), name)
    except UnicodeDecodeError as err:
        where = (
            f"ongeldige bytes op positie {err.start}",
            f"invalid bytes at position {err.start}",
        )
        raise Refused("unknown-encoding", where) from None


def _by_line(data: bytes) -> DecodedText:
    """Windows-1252, unless some lines are valid UTF-8 with non-ASCII characters: then each
    line is decoded in its own encoding and the Windows-1252 lines are named."""
    parts = data.split(b"\n")
    utf8, cp1252 = [], []
    texts = []
    for number, part in enumerate(parts, start=1):
        try:
            texts.append(part.decode("utf-8"))
            if not part.isascii():
                utf8.append(number)
        except UnicodeDecodeError:
            texts.append(part.decode("cp1252"))
            cp1252.append(number)
    if not utf8:
        return _checked(data.decode("cp1252"), "windows-1252")
    return replace(_checked("\n".join(texts), "utf-8"), other_encoding_lines=tuple(cp1252))


_CONTROL = re.compile(r"[\x00]")  # other control characters are cleaned from the values


def _checked(text: str, encoding: str) -> DecodedText:
    if "\ufffd" in text:
        raise Refused(
            "unknown-encoding",
            (
                "het bestand bevat al vervangingstekens (�)",
                "the file already holds replacement characters (�)",
            ),
        )
    if _CONTROL.search(text):
        raise Refused(
            "unknown-encoding",
            (
                "NUL-tekens: sla het bestand op als 'CSV UTF-8'",
                "NUL characters: save the file as 'CSV UTF-8'",
            ),
        )
    return DecodedText(text.removeprefix("\ufeff"), encoding)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header-ish lines most consistently (``;`` on a tie)."""
    lines = [line for line in lines_of(text[:200_000])[:30] if line.strip()]
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
    if '"' not in text:  # no quoting at all: a record is a line (most system exports)
        lines = lines_of(text)
        return list(range(1, len(lines) + 1)), [line.split(delimiter) for line in lines]
    reader = csv.reader(lines_of(text, keepends=True), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    line = 1
    try:
        for fields in reader:
            if any(f.count("\n") > 2 for f in fields):
                break  # a quote that never closes swallows the lines after it
            if len(fields) > MAX_FIELDS:
                raise Refused("too-wide", row=reader.line_num, found=len(fields), limit=MAX_FIELDS)
            records.append(fields)
            line = reader.line_num + 1
        else:
            return list(range(1, len(records) + 1)), records
    except csv.Error:
        pass
    raise Refused("unbalanced-quote", row=line)


@dataclass(frozen=True)
class PlainBody:
    """The body of a quote-free delimited file: mapped columns, and the lines that did not
    have the header's number of fields (split in Python, reported by the caller)."""

    columns: dict[str, Any]  # field → pyarrow string array, for the well-formed lines
    numbers: Sequence[int] | npt.NDArray[np.int64]  # their row numbers
    odd_rows: list[list[str]]
    odd_numbers: list[int]


def read_plain_body(
    lines: list[str], first_number: int, delimiter: str, fields: dict[str, int], width: int
) -> PlainBody:
    """Hand the well-formed lines of a quote-free body to pyarrow's CSV reader (in C), keeping
    every row's number; lines with another number of fields are returned apart."""
    import io

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    counts = pc.count_substring(pa.array(lines, pa.large_string()), delimiter).to_numpy()
    if len(lines) and counts.max() >= MAX_FIELDS:
        widest = int(np.argmax(counts))
        row = first_number + widest
        raise Refused("too-wide", row=row, found=int(counts[widest]) + 1, limit=MAX_FIELDS)
    good = np.flatnonzero(counts == width - 1).tolist()
    odd = [i for i in np.flatnonzero(counts != width - 1).tolist() if lines[i].strip()]
    if len(odd) > MAX_ODD_LINES and len(odd) * 10 > len(lines):
        raise Refused("rows-do-not-match-header", found=_dotted(len(odd)), rows=_dotted(len(lines)))
    names = [f"c{i}" for i in range(width)]
    wanted = {f"c{col}": field for field, col in fields.items()}
    if good:
        table = pcsv.read_csv(
            io.BytesIO(
                "\n".join(lines if len(good) == len(lines) else [lines[i] for i in good]).encode()
            ),
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
