"""EDEXML (NTA 2032), the standard export of ParnasSys and ESIS: pupils with their groups.

Parsed with defusedxml. Elements the library must not have (BSN, onderwijsnummer, weights,
parents' countries, ECK iD) are skipped and named in a warning, never read into the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element

from leerlingimport.intake.containers import Refused

SENSITIVE = (
    "bsn",
    "sofinummer",
    "onderwijsnummer",
    "bsn_ondwnr-4",
    "rijksregisternummer",
    "gewicht_nieuw",
    "gewicht",
    "land_vader",
    "land_moeder",
    "eckid",
    "fotourl",
)
FIELDS = {
    "achternaam": "surname",
    "voorvoegsel": "prefix",
    "voorletters-1": "initials",
    "roepnaam": "first_name",
    "geboortedatum": "birth_date",
    "geslacht": "sex",
    "postcodenl": "postcode",
    "emailadres": "email",
}
HEADERS = ["key", "groep", "groepsnaam", "jaargroep", *FIELDS, "brincode"]
CANONICAL = [
    "student_number",
    "group_code",
    "group_name",
    "year_group",
    *FIELDS.values(),
    "school_brin",
]


@dataclass(frozen=True)
class EdexPupils:
    rows: list[list[str]]  # one row per pupil, in the order of HEADERS
    sensitive: list[str]  # names of the sensitive elements that were skipped


def read_edexml(data: bytes) -> EdexPupils:
    """The pupils of an EDEXML file as rows of text."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ValueError):
        words = ("entiteiten of externe verwijzingen", "entities or external references")
        raise Refused("unsafe-xml", words) from None
    except ParseError as err:
        line = err.position[0] if err.position else "?"
        raise Refused(
            "unsupported-file",
            (f"XML niet te lezen, fout in regel {line}", f"unreadable XML, error in line {line}"),
        ) from None
    _strip_namespaces(root)
    if root.tag != "EDEX":
        raise Refused(
            "unsupported-file",
            (f"XML-bestand maar geen EDEXML (<{root.tag}>)", f"XML but not EDEXML (<{root.tag}>)"),
        )
    groups = {g.get("key", ""): g for g in root.iterfind("groepen/groep")}
    school = root.find("school")
    brin = _text(school, "brincode") if school is not None else ""
    rows, sensitive = [], set()
    for pupil in root.iterfind("leerlingen/leerling"):
        sensitive |= {c.tag for c in pupil if c.tag in SENSITIVE}
        sensitive |= {a for a in pupil.attrib if a in SENSITIVE}
        rows.append([*_row(pupil, groups), brin])
    return EdexPupils(rows, sorted(sensitive))


def _strip_namespaces(root: Element) -> None:
    """``{http://...}EDEX`` is EDEX: some exports declare a default namespace."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.split("}", 1)[1]


def _row(pupil: Element, groups: dict[str, Element]) -> list[str]:
    ref = pupil.find("groep")
    key = ref.get("key", "") if ref is not None else ""
    group = groups.get(key)
    name = _text(group, "naam") if group is not None else ""
    year = _text(pupil, "jaargroep") or (_text(group, "jaargroep") if group is not None else "")
    values = [pupil.get("key", ""), key, name, _year(year)]
    return values + [_text(pupil, tag) for tag in FIELDS]


def _text(element: Element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _year(value: str) -> str:
    # EDEXML numbers secondary years 11-16; the library counts them 1-6.
    plain = value.isascii() and value.isdigit()  # '²' is a digit to Python, not a year
    return str(int(value) - 10) if plain and 11 <= int(value) <= 16 else value
