"""Pure clean-ups of the canonical table: names, postcodes, sex codes, house numbers.

Values that cannot be understood are left as given, so validation can name them.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from leerlingimport.schema import NAME_FIELDS

PREFIXES = (
    "van der",
    "van den",
    "van de",
    "van 't",
    "van het",
    "in 't",
    "in het",
    "op de",
    "op den",
    "uit den",
    "uit de",
    "van",
    "de",
    "der",
    "den",
    "ter",
    "te",
    "ten",
    "'t",
    "het",
    "el",
    "al",
    "d'",
    "le",
    "la",
    "du",
    "di",
    "da",
    "op",
    "in",
    "aan",
)
SEX_CODES = {
    "m": "M",
    "man": "M",
    "jongen": "M",
    "j": "M",
    "1": "M",
    "male": "M",
    "v": "V",
    "vrouw": "V",
    "meisje": "V",
    "f": "V",
    "2": "V",
    "female": "V",
    "x": "X",
    "9": "X",
    "0": "",
    "onbekend": "",
}
_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s*([A-Za-z]{2})$")
_HOUSE = re.compile(r"^([0-9]+)\s*(?:[-/]\s*)?(\S.{0,9})?$")
_SPACES = re.compile(r"\s+")


def normalise_table(table: pd.DataFrame) -> pd.DataFrame:
    """A cleaned copy of the canonical table; the input is not changed."""
    out = table.copy()
    if "full_name" in out.columns:
        out = _split_full_names(out)
    for column in (*NAME_FIELDS, "group_name", "city", "street"):
        if column in out.columns:
            out[column] = out[column].map(clean_name)
    if "postcode" in out.columns:
        out["postcode"] = out["postcode"].map(normalise_postcode)
    if "sex" in out.columns:
        out["sex"] = out["sex"].map(lambda v: SEX_CODES.get(v.strip().casefold(), v.strip()))
    if "house_number" in out.columns:
        out = _split_house_numbers(out)
    return out


def clean_name(value: str) -> str:
    """Unicode NFC with whitespace collapsed: ``' Zoë   de '`` → ``'Zoë de'``."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def normalise_postcode(value: str) -> str:
    """``1234ab`` → ``1234 AB``; anything else as given (trimmed)."""
    match = _POSTCODE.match(value.strip())
    return f"{match[1]} {match[2].upper()}" if match else value.strip()


def split_full_name(value: str) -> tuple[str, str, str]:
    """``'Vries, Sem de'`` / ``'Sem de Vries'`` → (first name, prefix, surname)."""
    text = clean_name(value)
    if "," in text:
        surname, rest = (p.strip() for p in text.split(",", 1))
        first, prefix = _trailing_prefix(rest)
        return first, prefix, surname
    words = text.split(" ")
    if len(words) == 1:
        return "", "", text
    first, rest = words[0], " ".join(words[1:])
    for prefix in PREFIXES:
        if rest.startswith(prefix + " "):
            return first, prefix, rest[len(prefix) + 1 :]
    return first, "", rest


def _trailing_prefix(text: str) -> tuple[str, str]:
    for prefix in PREFIXES:
        if text.endswith(" " + prefix):
            return text[: -len(prefix) - 1].strip(), prefix
    return text, ""


def _split_full_names(table: pd.DataFrame) -> pd.DataFrame:
    parts = table["full_name"].map(split_full_name)
    out = table.drop(columns="full_name")
    for i, column in enumerate(("first_name", "prefix", "surname")):
        if column not in out.columns:
            out[column] = parts.map(lambda p, i=i: p[i])
    return out


def _split_house_numbers(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    suffix = out["house_number_suffix"] if "house_number_suffix" in out.columns else None
    numbers, suffixes = [], []
    for i, raw in enumerate(out["house_number"]):
        given = "" if suffix is None else suffix.iloc[i]
        match = _HOUSE.match(raw.strip())
        if match and match[2] and not given:
            numbers.append(match[1])
            suffixes.append(match[2].strip())
        else:
            numbers.append(raw.strip())
            suffixes.append(given)
    out["house_number"] = pd.Series(numbers, index=out.index, dtype="str")
    out["house_number_suffix"] = pd.Series(suffixes, index=out.index, dtype="str")
    return out
