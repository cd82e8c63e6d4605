"""From an uploaded file's bytes to the canonical pupil table (DESIGN §5.1).

``ingest`` never raises for bad input: it returns the table it could read and the issues.
A file-level error (an ``Issue`` with no row) means the file is rejected as a whole.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd
import pyarrow.compute as pc

from leerlingimport.intake import edexml
from leerlingimport.intake.containers import (
    PUPIL_SUFFIXES,
    Detected,
    Refused,
    detect,
    read_member,
)
from leerlingimport.intake.headers import HeaderMap, header_score, map_headers
from leerlingimport.intake.normalise import (
    normalise_table,
    repair_text,
    split_full_name,
    strip_hidden,
)
from leerlingimport.intake.plain import HEAD_LINES, PlainText, read_body, scan, scan_text, tidy
from leerlingimport.intake.safety import ensure_parser_safety
from leerlingimport.intake.sheets import (
    EXCEL_EPOCH,
    Cell,
    cell_text,
    formula_cells,
    read_workbook,
    serial_to_date,
    workbook_epoch,
)
from leerlingimport.intake.text import (
    DELIMITERS,
    MAX_FIELDS,
    decode,
    lines_of,
    read_plain_body,
    sniff_delimiter,
    split_records,
)
from leerlingimport.issues import Issue, Language, bounded, file_errors, make_issue
from leerlingimport.schema import SOURCE_ROW
from leerlingimport.textops import any_match, arrow, matches

HEADER_SEARCH_ROWS = 30
MIN_HEADER_SCORE = 3
MAX_ROWS = 200_000
MAX_FILE_BYTES = 128 * 2**20  # 100,000 pupils are 10-40 MB in any format; the portal takes 10 MiB


@dataclass(frozen=True)
class FileFormat:
    """How the file was read (the ``format`` object of ``check --json``)."""

    container: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    member: str | None = None  # the file inside a ZIP that was read
    mixed_lines: tuple[int, ...] = ()  # lines of a UTF-8 file that were in Windows-1252


@dataclass(frozen=True)
class Ingested:
    """The canonical pupil table (text cells, ``source_row``), how it was read, and the issues."""

    table: pd.DataFrame
    format: FileFormat
    columns: dict[str, str] = field(default_factory=dict)  # canonical → the school's header
    dropped_columns: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        """Whether the file as a whole is rejected."""
        return bool(file_errors(self.issues))


@dataclass(frozen=True)
class _Sheet:
    rows: Sequence[Sequence[Cell]]
    numbers: Sequence[int]  # the row number a person sees, per row
    fmt: FileFormat
    spreadsheet: bool
    lines: list[str] | None = None  # a quote-free text file: its lines, for the fast reader
    epoch: dt.date = EXCEL_EPOCH  # day zero of the workbook's date serials
    hidden: bool = False  # a hidden sheet is read only when no visible one holds the pupils
    hidden_used: bool = False
    plain: PlainText | None = None  # quote-free text, for the fastest reader (``plain``)


def ingest(data: bytes, name: str = "", *, language: Language = "nl") -> Ingested:
    """Read ``data`` (the bytes of an upload called ``name``) into the canonical table."""
    ensure_parser_safety()
    notes: list[Issue] = []
    try:
        if len(data) > MAX_FILE_BYTES:
            raise Refused(
                "file-too-large", size=_megabytes(len(data)), limit=_megabytes(MAX_FILE_BYTES)
            )
        detected = detect(data, name)
        member = None
        if detected.container == "zip":
            detected = _pick_member(detected, notes, language)
            member = detected.name
        if detected.container == "edexml":
            return _from_edexml(detected, member, notes, language)
        sheet = _choose_sheet(_sheets(detected), language)
        return _from_sheet(detected, sheet, member, notes, language)
    except Refused as refused:
        issue = make_issue(
            refused.code,
            row=refused.row,
            detail=refused.detail_in(language),
            language=language,
            **refused.details,
        )
        # The row is where the trouble is; the error is still the whole file's.
        issue = Issue(issue.code, issue.severity, None, None, None, issue.message)
        return Ingested(_empty_table(), FileFormat(), issues=[*notes, issue])


def _sheets(detected: Detected) -> list[_Sheet]:
    if detected.container == "csv":
        plain = scan(detected.data)
        if plain is not None:
            return [_plain_sheet(plain)]
        decoded = decode(detected.data)
        plain = scan_text(decoded)
        if plain is not None:
            return [_plain_sheet(plain)]
        delimiter = sniff_delimiter(decoded.text)
        fmt = FileFormat(
            "csv", decoded.encoding, delimiter, mixed_lines=decoded.other_encoding_lines
        )
        if '"' not in decoded.text:  # no quoting: a record is a line (most system exports)
            lines = lines_of(decoded.text)
            head = [line.split(delimiter) for line in lines[:HEADER_SEARCH_ROWS]]
            _refuse_too_wide(head)
            return [_Sheet(head, range(1, len(lines) + 1), fmt, False, lines)]
        numbers, records = split_records(decoded.text, delimiter)
        return [_Sheet(records, numbers, fmt, False)]
    grids = read_workbook(detected.data, detected.container)
    epoch = workbook_epoch(detected.data, detected.container)
    return [
        _Sheet(
            g.rows,
            range(1, len(g.rows) + 1),
            FileFormat(detected.container, sheet=g.name),
            True,
            epoch=epoch,
            hidden=not g.visible,
        )
        for g in grids
    ]


def _plain_sheet(plain: PlainText) -> _Sheet:
    """The sheet of a quote-free text file, as the lines of its decoded text would give it."""
    delimiter = sniff_delimiter(plain.prefix)
    head = [line.split(delimiter) for line in plain.head[:HEADER_SEARCH_ROWS]]
    _refuse_too_wide(head)
    fmt = FileFormat("csv", plain.encoding, delimiter, mixed_lines=plain.mixed_lines)
    return _Sheet(head, range(1, plain.line_count + 1), fmt, False, plain.head, plain=plain)


def _refuse_too_wide(rows: Sequence[Sequence[object]]) -> None:
    for number, row in enumerate(rows, start=1):
        if len(row) > MAX_FIELDS:
            raise Refused("too-wide", row=number, found=len(row), limit=MAX_FIELDS)


def _header_row(sheet: _Sheet) -> tuple[int, int]:
    """(score, index) of the row that looks most like a header, among the first rows."""
    best = (0, -1)
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        score = header_score([cell_text(c) for c in row[:MAX_FIELDS]])
        if score > best[0]:
            best = (score, index)
    return best


def _choose_sheet(sheets: list[_Sheet], language: Language) -> tuple[_Sheet, int]:
    visible = [s for s in sheets if not s.hidden]
    try:
        return _best_sheet(visible)
    except Refused:
        hidden = [s for s in sheets if s.hidden]
        if not hidden:
            raise
        chosen = _best_sheet(hidden)
        return replace(chosen[0], hidden_used=True), chosen[1]


def _best_sheet(sheets: list[_Sheet]) -> tuple[_Sheet, int]:
    scored = [(_header_row(s), s) for s in sheets]
    good = [(score, index, s) for (score, index), s in scored if score >= MIN_HEADER_SCORE]
    if not good:
        _other_delimiter(sheets)
        raise Refused("no-header")
    top = max(score for score, _, _ in good)
    best = [(index, s) for score, index, s in good if score == top]
    if len(best) > 1:
        raise Refused("ambiguous-sheet", ", ".join(repr(s.fmt.sheet) for _, s in best))
    return best[0][1], best[0][0]


def _other_delimiter(sheets: list[_Sheet]) -> None:
    """A header found only with another delimiter than the rows use: say so."""
    for sheet in sheets:
        if sheet.spreadsheet or not sheet.rows:
            continue
        used = str(sheet.fmt.delimiter)
        for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
            line = used.join(str(c) for c in row)
            for other in DELIMITERS:
                if other != used and header_score(line.split(other)) >= MIN_HEADER_SCORE:
                    raise Refused(
                        "mixed-delimiters",
                        row=index + 1,
                        header=other,
                        rows=used.replace("\t", "TAB"),
                    )


def _from_sheet(
    detected: Detected,
    chosen: tuple[_Sheet, int],
    member: str | None,
    notes: list[Issue],
    language: Language,
) -> Ingested:
    sheet, header_index = chosen
    headers = [cell_text(c).strip() for c in sheet.rows[header_index]]
    mapping = map_headers(headers)
    fmt = replace(sheet.fmt, header_row=sheet.numbers[header_index], member=member)
    issues = [*notes, *_header_issues(mapping, language)]
    if sheet.hidden_used:
        issues.append(
            make_issue("hidden-sheet-read", detail=str(sheet.fmt.sheet), language=language)
        )
    issues += _unnamed_columns(sheet, header_index, headers, language)
    issues += [
        make_issue("forbidden-column", column=headers[i], language=language)
        for i in _bsn_value_columns(sheet, header_index, mapping)
    ]
    if file_errors(issues):
        return Ingested(_empty_table(), fmt, mapping.sources, mapping.dropped, issues)
    if len(sheet.numbers) - header_index - 1 > MAX_ROWS:
        found = len(sheet.numbers) - header_index - 1
        raise Refused("too-many-rows", found=_thousands(found), limit=_thousands(MAX_ROWS))
    if fmt.mixed_lines:
        issues.append(
            make_issue(
                "mixed-encoding",
                detail=bounded([str(n) for n in fmt.mixed_lines], 8, language),
                language=language,
            )
        )
    table, odd_rows, odd_numbers = _body(sheet, header_index, mapping.fields, len(headers))
    fields = list(mapping.fields)
    # A quote-free body without a sign of anything to clean skips those passes.
    plain = sheet.plain is not None and tidy(sheet.plain, header_index + 1, str(fmt.delimiter))
    table, skipped = _pupil_rows(table, fields, plain)
    if skipped:
        rows = bounded([str(r) for r in skipped], 8, language)
        issues.append(make_issue("rows-skipped", detail=rows, language=language))
    if not sheet.spreadsheet and odd_rows:
        kept_rows = set(table[SOURCE_ROW])
        issues += _field_count_issues(odd_rows, odd_numbers, kept_rows, len(headers), language)
    if table.empty:
        issues.append(make_issue("no-data-rows", language=language))
    if sheet.spreadsheet:
        issues += _formula_issues(detected, language)
    table, more = _cleaned(table, fields, mapping.sources, language, plain=plain)
    return Ingested(table, fmt, mapping.sources, mapping.dropped, [*issues, *more])


def _pupil_rows(
    table: pd.DataFrame, fields: list[str], plain: bool
) -> tuple[pd.DataFrame, list[int]]:
    """The rows with a pupil, values trimmed: without blank rows (separators only) and note
    rows (returned by number). ``plain``: no value has a space to trim or a note's sign."""
    if not plain:
        table = table.assign(**{f: table[f].str.strip() for f in fields})
    blank = _blank_rows(table, fields)
    if blank is not None:
        table = table[~blank].reset_index(drop=True)
    return (table, []) if plain else _without_notes(table, fields)


def _blank_rows(table: pd.DataFrame, fields: list[str]) -> pd.Series | None:
    """The rows whose ``fields`` are all empty; None if there are none (one column without
    an empty value says so)."""
    if not fields:
        return pd.Series(True, index=table.index)
    blank = None
    for f in fields:
        empty = pc.fill_null(pc.equal(arrow(table[f]), ""), False)
        if not pc.any(empty).as_py():
            return None
        blank = empty if blank is None else pc.and_(blank, empty)
    return pd.Series(blank, index=table.index, dtype="bool") if blank is not None else None


def _cleaned(
    table: pd.DataFrame,
    fields: list[str],
    sources: dict[str, str],
    language: Language,
    *,
    plain: bool = False,
) -> tuple[pd.DataFrame, list[Issue]]:
    """The normalised table, and warnings for what cleaning changed that a person should
    check: hidden characters removed, a full name split into its parts. ``plain``: no value
    has double-encoded text, Excel's ="..." or hidden characters (``plain.tidy``)."""
    issues = []
    table, repaired = (table, []) if plain else repair_text(table, fields)
    if repaired:
        shown = bounded(sorted(set(repaired)), 3, language)
        issues.append(make_issue("garbled-text-repaired", detail=shown, language=language))
    table, hidden = (table, []) if plain else strip_hidden(table, fields)
    if hidden:
        rows = bounded([str(r) for r in sorted(hidden)], 8, language)
        issues.append(make_issue("hidden-characters-removed", detail=rows, language=language))
    if "full_name" in fields and len(table):
        example = table["full_name"].iloc[0]
        issues.append(
            make_issue(
                "full-name-split",
                column=sources["full_name"],
                value=example,
                parts=" + ".join(p for p in split_full_name(example) if p),
                language=language,
            )
        )
    return normalise_table(table, single_spaces=plain), issues


BSN_SAMPLE = 200
assert HEADER_SEARCH_ROWS + 1 + BSN_SAMPLE <= HEAD_LINES  # plain.scan decodes no more lines
FIELD_LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "card_number": "pasnummer",
        "student_number": "leerlingnummer",
        "group_code": "groepscode",
        "group_name": "groepsnaam",
        "year_group": "jaargroep",
        "initials": "voorletters",
        "first_name": "roepnaam",
        "prefix": "tussenvoegsel",
        "surname": "achternaam",
        "full_name": "naam",
        "birth_date": "geboortedatum",
        "sex": "geslacht",
        "street": "straat",
        "house_number": "huisnummer",
        "house_number_suffix": "toevoeging",
        "postcode": "postcode",
        "city": "woonplaats",
        "email": "e-mailadres",
        "school_brin": "BRIN",
    },
    "en": {},
}
FIELD_LABELS["en"] = {k: k.replace("_", " ") for k in FIELD_LABELS["nl"]}


def _sample(sheet: _Sheet, header_index: int) -> list[Sequence[Cell]]:
    """The first rows below the header, split into cells."""
    if sheet.lines is not None:
        delimiter = str(sheet.fmt.delimiter)
        return [line.split(delimiter) for line in sheet.lines[header_index + 1 :][:BSN_SAMPLE]]
    return list(sheet.rows[header_index + 1 :][:BSN_SAMPLE])


def _unnamed_columns(
    sheet: _Sheet, header_index: int, headers: list[str], language: Language
) -> list[Issue]:
    """A column with values but no header is not read: say so, naming its position."""
    sample = _sample(sheet, header_index)
    found = [
        str(col + 1)
        for col in range(len(headers))
        if col < len(headers)
        and not headers[col]
        and any(col < len(r) and cell_text(r[col]).strip() for r in sample)
    ]
    if not found:
        return []
    return [make_issue("unnamed-column", detail=bounded(found, 5, language), language=language)]


def _bsn_value_columns(sheet: _Sheet, header_index: int, mapping: HeaderMap) -> list[int]:
    """Columns whose values are burgerservicenummers, whatever their header says: nine digits
    passing the 11-proef in most of the first rows. Checked for every column the library does
    not read, and for the student number (a school may export the BSN as the pupil number)."""
    sample = _sample(sheet, header_index)
    mapped = set(mapping.fields.values()) - {mapping.fields.get("student_number", -1)}
    width = max((len(r) for r in sample), default=0)
    found = []
    for col in range(width):
        if col in mapped or col in {i for i, _ in mapping.forbidden}:
            continue
        values = [cell_text(r[col]).strip() for r in sample if col < len(r)]
        values = [v for v in values if v]
        passing = sum(1 for v in values if elfproef(v))
        if len(values) >= 3 and passing >= 0.8 * len(values):
            found.append(col)
    return found


def elfproef(value: str) -> bool:
    """Whether ``value`` is a valid burgerservicenummer (nine digits, the 11-proef; Excel
    may have dropped a leading zero)."""
    digits = value.replace(".", "").replace(" ", "")
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit() or digits == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def _body(
    sheet: _Sheet, header_index: int, fields: dict[str, int], width: int
) -> tuple[pd.DataFrame, Sequence[Sequence[Cell]], Sequence[int]]:
    """The table of the rows below the header, and the rows whose field count may be off."""
    delimiter = str(sheet.fmt.delimiter)
    if sheet.plain is not None:
        body = read_body(sheet.plain, header_index + 1, delimiter, fields, width)
        if body is None:  # pyarrow counted other rows than lines: split the text instead
            lines = lines_of(sheet.plain.data.decode())[header_index + 1 :]
            body = read_plain_body(lines, header_index + 2, delimiter, fields, width)
    elif sheet.lines is None:
        rows, numbers = sheet.rows[header_index + 1 :], sheet.numbers[header_index + 1 :]
        columns = _columns(rows, fields, width, sheet.epoch)
        return _table(columns, list(numbers)), rows, numbers
    else:
        body = read_plain_body(
            sheet.lines[header_index + 1 :], header_index + 2, delimiter, fields, width
        )
    table = pd.DataFrame({f: pd.Series(a, dtype="str") for f, a in body.columns.items()})
    table[SOURCE_ROW] = pd.Series(body.numbers, dtype="int64")
    if body.odd_rows:
        odd = _table(_columns(body.odd_rows, fields, width), body.odd_numbers)
        table = pd.concat([table, odd]).sort_values(SOURCE_ROW, ignore_index=True)
    return table, body.odd_rows, body.odd_numbers


def _columns(
    rows: Sequence[Sequence[Cell]],
    fields: dict[str, int],
    width: int,
    epoch: dt.date = EXCEL_EPOCH,
) -> dict[str, list[str]]:
    """The mapped columns as text; columns of strings pass through untouched (the fast case)."""
    padded = [r if len(r) >= width else [*r, *[""] * (width - len(r))] for r in rows]
    transposed = list(zip(*padded, strict=False)) if padded else [()] * width
    out = {}
    for field_name, col in fields.items():
        values = transposed[col]
        if set(map(type, values)) <= {str}:
            out[field_name] = list(values)
            continue
        if field_name == "birth_date":
            out[field_name] = [v if v.__class__ is str else _date_text(v, epoch) for v in values]
        else:
            out[field_name] = [v if v.__class__ is str else cell_text(v) for v in values]
    return out


def _date_text(value: Cell, epoch: dt.date) -> str:
    """A date cell as an ISO date; a number in a date column as a serial of the workbook's
    date system."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        day = serial_to_date(float(value), epoch)
        if day is not None:
            return day.isoformat()
    return cell_text(value)


def _field_count_issues(
    rows: Sequence[Sequence[Cell]],
    numbers: Sequence[int],
    kept: set[int],
    expected: int,
    language: Language,
) -> list[Issue]:
    issues = []
    for row, number in zip(rows, numbers, strict=True):
        if len(row) == expected or number not in kept:
            continue
        if len(row) > expected and not any(str(t).strip() for t in row[expected:]):
            continue  # a trailing separator
        code = "too-many-fields" if len(row) > expected else "too-few-fields"
        issues.append(
            make_issue(code, row=number, found=len(row), expected=expected, language=language)
        )
    return issues


def _header_issues(mapping: HeaderMap, language: Language) -> list[Issue]:
    issues = [
        make_issue("forbidden-column", column=h, language=language) for _, h in mapping.forbidden
    ]
    for field_name, headers in mapping.duplicates:
        joiner = " en " if language == "nl" else " and "
        quoted = joiner.join(f"'{h}'" for h in headers)
        label = FIELD_LABELS[language].get(field_name, field_name)
        issues.append(make_issue("duplicate-column", detail=quoted, field=label, language=language))
    if mapping.dropped:
        issues.append(
            make_issue(
                "column-dropped", detail=bounded(mapping.dropped, 8, language), language=language
            )
        )
    return issues


def _formula_issues(detected: Detected, language: Language) -> list[Issue]:
    cells = formula_cells(detected.data, detected.container)
    if not cells:
        return []
    return [make_issue("formula-cell", detail=bounded(cells, 5, language), language=language)]


def _from_edexml(
    detected: Detected, member: str | None, notes: list[Issue], language: Language
) -> Ingested:
    from leerlingimport.intake.bounded import read_bounded

    pupils = read_bounded(detected.data, "edexml")
    assert isinstance(pupils, edexml.EdexPupils)
    issues = list(notes)
    if pupils.sensitive:
        issues.append(
            make_issue(
                "sensitive-element-dropped", detail=", ".join(pupils.sensitive), language=language
            )
        )
    if not pupils.rows:
        issues.append(make_issue("no-data-rows", language=language))
    columns = {f: [r[i] for r in pupils.rows] for i, f in enumerate(edexml.CANONICAL)}
    table = _table(columns, list(range(1, len(pupils.rows) + 1)))
    fmt = FileFormat("edexml", "utf-8", member=member)
    sources = dict(zip(edexml.CANONICAL, edexml.HEADERS, strict=True))
    table, more = _cleaned(table, list(edexml.CANONICAL), sources, language)
    return Ingested(table, fmt, sources, [], [*issues, *more])


def _pick_member(detected: Detected, notes: list[Issue], language: Language) -> Detected:
    """The pupil file inside a ZIP: the candidate whose header looks best; the rest reported."""
    archive = zipfile.ZipFile(io.BytesIO(detected.data))
    candidates: list[tuple[int, Detected]] = []
    for info in archive.infolist():
        if info.is_dir():
            continue
        member = info.filename
        if not member.lower().endswith(PUPIL_SUFFIXES):
            kind = "geen leerlingbestand" if language == "nl" else "not a pupil file"
            notes.append(
                make_issue("archive-entry-ignored", value=member, detail=kind, language=language)
            )
            continue
        inner = detect(read_member(archive, info), member)
        if inner.container == "zip":
            raise Refused(
                "unsafe-archive",
                (
                    f"zip-bestand in een zip-bestand ('{member[:60]}')",
                    f"a zip file inside the zip ('{member[:60]}')",
                ),
            )
        candidates.append((_member_score(inner), inner))
    if not candidates:
        raise Refused("no-pupil-file")
    candidates.sort(key=lambda c: -c[0])
    pupil_files = [c.name for score, c in candidates if score >= MIN_HEADER_SCORE]
    if len(pupil_files) > 1:
        named = bounded([f"'{n[:60]}'" for n in pupil_files], 5, language)
        raise Refused("several-pupil-files", named)
    for _score, other in candidates[1:]:
        why = "minder passende kolommen" if language == "nl" else "fewer matching columns"
        notes.append(
            make_issue("archive-entry-ignored", value=other.name, detail=why, language=language)
        )
    return candidates[0][1]


def _member_score(inner: Detected) -> int:
    if inner.container == "edexml":
        return 100
    try:
        return max((_header_row(s)[0] for s in _sheets(inner)), default=0)
    except Refused:
        return 0


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MB"


# RE2 (pyarrow compute, in C): Python's \s and \b spelled out, as RE2's are ASCII only.
_SPACE = r"[\s\v\x1c-\x1f\x85\p{Z}]"
_NOTE_SIGN = r"\(|(?i:totaal|aantal|total)"  # in every note: columns without skip the pass
_NOTE = rf"(?i)^{_SPACE}*(\(.*\)|(totaal|aantal|total)([^\p{{L}}\p{{N}}_\n].*)?){_SPACE}*$"


def _without_notes(table: pd.DataFrame, fields: list[str]) -> tuple[pd.DataFrame, list[int]]:
    """Rows that are notes, not pupils: every value in brackets ('(dd-mm-jjjj)' under a
    header), or a total line ('Totaal: 3 leerlingen') with at most two values."""
    if table.empty:
        return table, []
    values = table[fields]
    filled = values != ""
    never = pd.Series(False, index=values.index)
    noted = pd.DataFrame(
        {
            f: matches(values[f], _NOTE) if any_match(values[f], _NOTE_SIGN) else never
            for f in fields
        }
    )
    all_notes = (noted | ~filled).all(axis=1)
    total_line = noted.any(axis=1) & (filled.sum(axis=1) <= 2)
    note = all_notes | total_line
    return table[~note].reset_index(drop=True), [int(r) for r in table.loc[note, SOURCE_ROW]]


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _table(columns: dict[str, list[str]], numbers: list[int]) -> pd.DataFrame:
    data: dict[str, object] = {c: pd.Series(v, dtype="str") for c, v in columns.items()}
    data[SOURCE_ROW] = pd.Series(numbers, dtype="int64")
    return pd.DataFrame(data)


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame({SOURCE_ROW: pd.Series([], dtype="int64")})
