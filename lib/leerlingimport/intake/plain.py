"""The fast reader for the usual delimited text: no quotes, lines ending in LF or CRLF.

Such a file in UTF-8 is never decoded or split in Python as a whole (one in another encoding
is decoded by ``text.decode`` as ever, then read as its UTF-8). numpy counts its line breaks
(for the limits and the row numbers), pyarrow's CSV reader (in C) parses the body and hands
each row with another number of fields than the header to ``invalid_row_handler`` with its
line, and one RE2 pass over the body tells whether any value could need a per-column clean-up.

Every other file (quotes, a lone CR, NUL or U+FFFD, a line that may be too long, too many
lines) gets None from ``scan`` and ``scan_text`` and is read by ``text`` as before, which also
gives its refusals: this reader only ever answers what that path would.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from leerlingimport.intake.containers import Refused, utf16_without_bom
from leerlingimport.intake.text import (
    MAX_FIELDS,
    MAX_LINE,
    MAX_LINES,
    MAX_ODD_LINES,
    DecodedText,
    PlainBody,
    lines_of,
)

HEAD_LINES = 231  # the header search (30 lines) and the sample below the header (200 lines)
SNIFFED = 200_000  # characters the delimiter sniffer sees


@dataclass(frozen=True)
class PlainText:
    """A quote-free UTF-8 text file: its bytes, its number of lines, and its first lines."""

    data: bytes  # UTF-8, without a byte order mark
    encoding: str  # "utf-8" or "utf-8-sig", as ``text.decode`` names it
    line_count: int  # the lines ``text.lines_of`` gives for the whole text
    ends: list[int]  # the offset of the LF that ends each of the first lines
    head: list[str]  # the first HEAD_LINES lines
    prefix: str  # what the delimiter sniffer needs of the text's first SNIFFED characters
    mixed_lines: tuple[int, ...] = ()  # as ``text.DecodedText`` has them


def scan(data: bytes) -> PlainText | None:
    """``data`` as a PlainText, or None when the file needs the exact path of ``text``."""
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data, encoding = data[len(codecs.BOM_UTF8) :], "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(data):
        return None
    if b'"' in data or b"\x00" in data or (b"\xef" in data and "\ufffd".encode() in data):
        return None
    if not data.isascii() and not _utf8(data):
        return None
    return _lines(data, encoding)


def scan_text(decoded: DecodedText) -> PlainText | None:
    """A file in another encoding, decoded by ``text.decode``, as a PlainText of its text in
    UTF-8; None as for ``scan``."""
    if '"' in decoded.text:
        return None
    plain = _lines(decoded.text.encode(), decoded.encoding)
    return replace(plain, mixed_lines=decoded.other_encoding_lines) if plain else None


def _lines(data: bytes, encoding: str) -> PlainText | None:
    """UTF-8 ``data`` without quotes, NUL or U+FFFD, as a PlainText if its lines allow."""
    octets = np.frombuffer(data, np.uint8)
    newlines = octets == ord("\n")
    if b"\r" in data:
        returns = octets == ord("\r")
        if np.count_nonzero(returns[:-1] & newlines[1:]) != np.count_nonzero(returns):
            return None  # a CR on its own ends a line too: the exact path counts those
    breaks = int(np.count_nonzero(newlines))
    if breaks > MAX_LINES or not _short_lines(data, newlines):
        return None
    ends: list[int] = []
    end = data.find(b"\n")
    while end >= 0 and len(ends) < HEAD_LINES:
        ends.append(end)
        end = data.find(b"\n", end + 1)
    head = (data[: ends[-1] + 1] if len(ends) == HEAD_LINES else data).decode()
    count = breaks + (0 if data.endswith(b"\n") else 1)
    # The sniffer splits its characters into lines and looks at the first 30: whole lines
    # of the head, unless the head is longer than what it sees.
    return PlainText(data, encoding, count, ends, lines_of(head), head[:SNIFFED])


def _short_lines(data: bytes, newlines: npt.NDArray[np.bool_]) -> bool:
    """Whether no line is longer than MAX_LINE bytes (so characters, its CR included): true
    when every whole stretch of half that holds a LF; else counted."""
    step = MAX_LINE // 2
    for start in range(0, len(data) - step + 1, step):
        if data.find(b"\n", start, start + step) < 0:
            breaks = np.flatnonzero(newlines)
            return int(np.diff(breaks, prepend=-1, append=len(data)).max()) - 1 <= MAX_LINE
    return True


def _utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8 as Python's strict decoder has it (pyarrow's check, in C)."""
    try:
        _one_value(pa.py_buffer(data)).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _one_value(buffer: pa.Buffer) -> pa.Array:
    """The bytes of ``buffer`` as an array of one string, without a copy."""
    offsets = pa.py_buffer(np.array([0, buffer.size], np.int64))
    return pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, buffer])


def _body_start(plain: PlainText, skip: int) -> int:
    """The offset of the line after the first ``skip`` lines."""
    return plain.ends[skip - 1] + 1 if 0 < skip <= len(plain.ends) else len(plain.data)


_WHITESPACE = r"\x0b\x0c\x1c-\x1f\x85\x{a0}\x{1680}\x{180e}\x{2000}-\x{200a}\x{2028}\x{2029}"
_WHITESPACE += r"\x{202f}\x{205f}\x{3000}"  # every Unicode space but ' ', and what Arrow trims
_HIDDEN = (
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\p{Cf}\p{Zl}\p{Zp}]"  # normalise._HIDDEN less CR, LF
)
_CONTINUATION = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
_CONTINUATION += "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
_ESCAPED = {";": ";", ",": ",", "\t": r"\t", "|": r"\|"}


def _untidy(delimiter: str) -> str:
    """RE2 for anything in the body that could make a clean-up change a value: a space at the
    edge of a value or two in a row, other whitespace, hidden characters, what a note row has
    ('(', 'totaal'), double-encoded text. (Excel's ="..." needs a quote: not in these files.)"""
    d = _ESCAPED[delimiter]
    tab = "" if delimiter == "\t" else r"\t"
    return "|".join(
        (
            f"[{tab}{_WHITESPACE}]",
            "  ",
            rf"(?:^|[\r\n{d}]) ",
            rf" (?:[\r\n{d}]|$)",
            _HIDDEN,
            r"\(|(?i:totaal|aantal|total)",
            f"[\u00c2-\u00c5][{_CONTINUATION}]",
        )
    )


def tidy(plain: PlainText, skip: int, delimiter: str) -> bool:
    """Whether no value below the first ``skip`` lines has anything a clean-up could change
    but names' Unicode form: the per-column passes can be left out."""
    body = pa.py_buffer(plain.data)[_body_start(plain, skip) :]
    found = pc.match_substring_regex(_one_value(body), _untidy(delimiter))
    return not found[0].as_py()


def read_body(
    plain: PlainText, skip: int, delimiter: str, fields: dict[str, int], width: int
) -> PlainBody | None:
    """The lines below the first ``skip`` as ``text.read_plain_body`` gives them, with the
    same refusals; None if pyarrow's count of rows is not the count of lines."""
    import pyarrow.csv as pcsv

    first_number, count = skip + 1, plain.line_count - skip
    rows = _Odd(first_number, delimiter)
    names = [f"c{i}" for i in range(width)]
    wanted = {f"c{col}": field for field, col in fields.items()}
    if count > 0:
        body = pa.py_buffer(plain.data)[_body_start(plain, skip) :]
        table = pcsv.read_csv(
            pa.BufferReader(body),
            read_options=pcsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pcsv.ParseOptions(
                delimiter=delimiter,
                quote_char=False,
                ignore_empty_lines=False,
                invalid_row_handler=rows.handle,
            ),
            # bytes, not text: the whole file was checked to be UTF-8 already
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.binary()),
                strings_can_be_null=False,
                include_columns=list(wanted),
            ),
        )
        columns = {field: _text(table.column(name)) for name, field in wanted.items()}
        parsed = table.num_rows
    else:
        columns = {field: pa.array([], pa.string()) for field in wanted.values()}
        parsed = 0
    if rows.unnumbered or parsed + len(rows.lines) != max(count, 0):
        return None
    rows.refuse(count)
    numbers = np.delete(np.arange(first_number, first_number + count), rows.lines)
    return PlainBody(columns, numbers, rows.odd_rows, rows.odd_numbers)


def _text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column read as bytes, as text: the same buffers."""
    return pa.chunked_array([c.view(pa.string()) for c in column.chunks], pa.string())


class _Odd:
    """pyarrow's invalid-row handler: every line with another number of fields than the
    header, and apart those that are not blank, split as ``text.read_plain_body`` splits."""

    def __init__(self, first_number: int, delimiter: str) -> None:
        self.first_number, self.delimiter = first_number, delimiter
        self.lines: list[int] = []  # 0-based within the body
        self.widest = (0, 0)  # fields, line
        self.odd_rows: list[list[str]] = []
        self.odd_numbers: list[int] = []
        self.unnumbered = False

    def handle(self, row: Any) -> str:
        if row.number is None:
            self.unnumbered = True
            return "skip"
        line = row.number - 1
        self.lines.append(line)
        if row.actual_columns > self.widest[0]:
            self.widest = (row.actual_columns, line)
        if row.text.strip():
            self.odd_rows.append(row.text.split(self.delimiter))
            self.odd_numbers.append(self.first_number + line)
        return "skip"

    def refuse(self, count: int) -> None:
        """The refusals of ``text.read_plain_body``, in its order."""
        fields, line = self.widest
        if fields > MAX_FIELDS:
            raise Refused("too-wide", row=self.first_number + line, found=fields, limit=MAX_FIELDS)
        odd = len(self.odd_rows)
        if odd > MAX_ODD_LINES and odd * 10 > count:
            raise Refused("rows-do-not-match-header", found=_dotted(odd), rows=_dotted(count))


def _dotted(number: int) -> str:
    return f"{number:,}".replace(",", ".")
