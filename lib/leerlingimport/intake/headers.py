"""Headers → canonical columns, through one alias table.

Matching ignores case, spaces, dots, underscores, hyphens, a BOM, NBSP and zero-width
characters, and diacritics. Covers Wise's Dutch and English template headers and the usual
LAS headers (reference/wise.md §2, exports.md §2 and §7).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ALIASES: dict[str, tuple[str, ...]] = {
    "card_number": (
        "lenernummer",
        "pasnummer",
        "barcode",
        "patron_id",
    ),
    "student_number": (
        "leerlingnummer",
        "extern_nr",
        "externnummer",
        "leerlingnr",
        "llnr",
        "stamnummer",
        "stamnr",
        "stamnr_str",
        "student_id",
        "studentno",
        "stamboeknummer",
        "deelnemernummer",
        "leerlingid",
    ),
    "group_code": (
        "groep",
        "klas_code",
        "klascode",
        "groepscode",
        "klas",
        "stamgroep",
        "stamklas",
        "basisgroep",
        "leerlingstamgroep",
    ),
    "group_name": ("groepsnaam", "klas_naam", "klasnaam", "groepnaam"),
    "year_group": (
        "jaargroep",
        "leerjaar",
        "leerfase.leerjaar",
        "departmentyear",
        "grade",
        "leerlingleerjaar",
    ),
    "initials": ("voorletters", "voorletter", "voorletters-1", "initials", "leerlingvoorletters"),
    "first_name": (
        "roepnaam",
        "voornaam",
        "voornm",
        "first_names",
        "firstname",
        "first_name",
        "givenname",
        "leerlingroepnaam",
    ),
    "prefix": (
        "naamtus",
        "voorvoegsel",
        "tussenvoegsel",
        "tussenv",
        "tussenvgsl",
        "voorvoegsels",
        "tussenvoegsels",
        "prefix",
        "familynameprefix",
        "leerlingvoorvoegsel",
    ),
    "surname": ("achternaam", "last_name", "lastname", "familyname", "leerlingachternaam"),
    "birth_date": (
        "geboortedatum",
        "geb_datum",
        "gebdatum",
        "geb. datum",
        "geb_datum_str",
        "dateofbirth",
        "date_of_birth",
        "birthdate",
        "leerlinggeboortedatum",
    ),
    "sex": ("geslacht", "gender", "sex", "leerlinggeslacht"),
    "street": ("adres", "straat", "address", "leerlingadresstraat"),
    "house_number": ("huisnummer", "huisnr", "nr", "house_number", "leerlingadreshuisnummer"),
    "house_number_suffix": (
        "huisnummertoevoeging",
        "huisnummertoev",
        "toevoeging",
        "nr.tv",
        "huisnrtoev",
        "bus",
        "leerlingadrestoevoeging",
    ),
    "postcode": ("postcode", "zipcode", "postnummer", "leerlingadrespostcode"),
    "city": (
        "woonplaats",
        "plaats",
        "city",
        "gemeente",
        "plaats.woonplaats",
        "leerlingadresplaats",
    ),
    "email": ("email", "e-mail", "e_mail", "emailadres", "e-mailadres", "leerlingemail"),
    "school_brin": ("brin", "brincode", "brinnummer", "brin_code", "schoolbrin", "brin_school"),
}

# Wise's NAAM is the surname; a hand-made list's Naam is often the whole name. Which one it is
# depends on the other columns (see map_headers).
AMBIGUOUS_NAME = "naam"

# Columns the library must never receive: the whole file is refused (exports.md §7.5). A header
# is forbidden when, normalised, it contains one of these words: "BSN-nummer", "bsn_leerling",
# "BSN/Onderwijsnummer", "PGN nr" and "Burgerservicenr" all do.
FORBIDDEN_WORDS = (
    "bsn",
    "burgerservice",
    "sofinummer",
    "sofinr",
    "pgn",
    "persoonsgebonden",
    "onderwijsnummer",
    "ondwnr",
    "rijksregister",
    "insz",
    "nationalregistration",
)

_INVISIBLE = re.compile(r"[\ufeff\u00a0\u200b\u200c\u200d\u2060\s._\-]+")


def normalise_header(text: str) -> str:
    """``' Geb. Datum'`` → ``'gebdatum'``: the form headers are compared in."""
    if text.isascii():  # nothing to decompose; casefold is lower
        return _INVISIBLE.sub("", text).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _INVISIBLE.sub("", plain).casefold()


_LOOKUP = {normalise_header(a): field for field, names in ALIASES.items() for a in names}
_PUPIL_NR = {"nr", "nummer", "no"}


@dataclass(frozen=True)
class HeaderMap:
    """How a file's headers map: canonical field → column index, and what does not map."""

    fields: dict[str, int]
    sources: dict[str, str]  # canonical field → the header as the school wrote it
    dropped: list[str]
    forbidden: list[tuple[int, str]]
    duplicates: list[tuple[str, list[str]]]  # field → the school's headers that all mean it


def field_for(header: str) -> str | None:
    """The canonical field a header means, if any (``naam`` counts as the surname)."""
    key = normalise_header(header)
    if key == AMBIGUOUS_NAME:
        return "surname"
    return _LOOKUP.get(key)


def is_forbidden(header: str) -> bool:
    key = normalise_header(header)
    return any(word in key for word in FORBIDDEN_WORDS)


def map_headers(headers: list[str]) -> HeaderMap:
    """Map a header row; nothing is decided about the data yet."""
    claims: dict[str, list[int]] = {}
    dropped, forbidden = [], []
    keys = [normalise_header(h) for h in headers]
    has_first_name = any(_LOOKUP.get(k) in ("first_name", "initials") for k in keys)
    for index, (header, key) in enumerate(zip(headers, keys, strict=True)):
        if not key:
            continue
        if is_forbidden(header):
            forbidden.append((index, header))
            continue
        field = _LOOKUP.get(key)
        if key == AMBIGUOUS_NAME:
            field = "surname" if has_first_name else "full_name"
        if field is None:
            dropped.append(header.strip())
        else:
            claims.setdefault(field, []).append(index)
    # A hand-made list's 'Nr' is the pupil's number when the file has no address and no
    # other pupil number; next to a street it is the house number.
    if "student_number" not in claims and "street" not in claims:
        numbered = [i for i in claims.get("house_number", []) if keys[i] in _PUPIL_NR]
        if numbered:
            claims["student_number"] = numbered
            claims["house_number"] = [i for i in claims["house_number"] if i not in numbered]
            if not claims["house_number"]:
                del claims["house_number"]
    duplicates = [
        (f, [headers[i].strip() for i in idx]) for f, idx in claims.items() if len(idx) > 1
    ]
    fields = {f: idx[0] for f, idx in claims.items()}
    sources = {f: headers[i].strip().lstrip("\ufeff") for f, i in fields.items()}
    return HeaderMap(fields, sources, dropped, forbidden, duplicates)


def header_score(cells: list[str]) -> int:
    """How much a row looks like a header row: the number of distinct known fields in it."""
    keys = [normalise_header(c) for c in cells if c]
    found = {"surname" if k == AMBIGUOUS_NAME else _LOOKUP.get(k) for k in keys}
    found.discard(None)
    forbidden = sum(1 for k in keys if any(word in k for word in FORBIDDEN_WORDS))
    return len(found) + forbidden
