"""Groups: code, name and year group as Wise needs them, from whatever columns the file has.

DESIGN §7.2: a missing group name is the code; a missing code is derived from the name (safe
for Wise's code rules, stable from year to year). With one group column (a hand-made list's
``Groep``, Magister's ``Klas``) a value that is a valid code is the code, and anything else is
the name with a derived code. The year group comes from its column, else from the one digit in
the group (``Groep 5a`` → 5, ``H2b`` → 2); a combination group (``Groep 1/2``, ``5/6``, ``7-8``)
takes it from the birth date: the age on 1 October of the school year minus 3, kept within the
group's two years.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from leerlingimport.schema import MAX_LENGTH
from leerlingimport.textops import extract, matches

FORBIDDEN = "\"'+&<>/|\\“”‘’„"
_FORBIDDEN_CLASS = "[" + "".join("\\" + c if c in "\\" else c for c in FORBIDDEN) + "]"
_ONE_DIGIT = r"^\D*(?P<digit>\d)\D*$"
_MONTHS = "jan|feb|mrt|mar|apr|mei|may|jun|jul|aug|sep|okt|oct|nov|dec"
_EXCEL_DAMAGE = "|".join(  # what Excel makes of '5-6' and '1/2': dates and fractions
    [
        rf"^\d{{1,2}}-(?:{_MONTHS})\.?$",
        rf"^(?:{_MONTHS})-\d{{1,2}}$",
        r"^\d{4}-\d{2}-\d{2}",
        r"^0[.,]\d+$",
    ]
)
_EXCEL_DAMAGE = "(?i)" + _EXCEL_DAMAGE
_TWO_YEARS = r"^\D*(?P<low>\d)\s*[/-]\s*(?P<high>\d)\D*$"


@dataclass(frozen=True)
class Groups:
    code: pd.Series
    name: pd.Series
    year: pd.Series  # Int8, <NA> where unknown or invalid
    year_given: pd.Series
    year_source: pd.Series  # what the year was derived from, for messages
    missing: pd.Series
    code_too_long: pd.Series
    code_bad_chars: pd.Series
    bad_chars: pd.Series
    name_too_long: pd.Series
    excel_damaged: pd.Series  # a group Excel turned into a date or a number ('5-jun', '0.5')
    year_invalid: pd.Series
    year_unknown: pd.Series
    derived: list[str]  # "Groep 1/2a → 12A" examples
    by_age: list[str]  # combination groups whose pupils' year came from the birth date


def derive_code(name: str) -> str:
    """A Wise-safe group code for a group name, the same every year: ``Groep 1/2a`` → ``12A``."""
    text = name.strip()
    for word in ("groep", "klas"):
        if text.casefold().startswith(word + " "):
            text = text[len(word) + 1 :]
    code = "".join(c for c in text if c.isalnum()).upper()[: MAX_LENGTH["group_code"]]
    return code or "G" + hashlib.sha1(name.encode()).hexdigest()[:6].upper()


def resolve_groups(t: pd.DataFrame, columns: dict[str, str], school_year: int) -> Groups:
    """``t`` holds parsed birth dates (datetime, NaT where none)."""
    code, name = t["group_code"], t["group_name"]
    single = "group_code" in columns and "group_name" not in columns
    if single:
        fits = rf"^\S{{1,{MAX_LENGTH['group_code']}}}$"
        looks_like_code = matches(code, fits) & ~matches(code, _FORBIDDEN_CLASS)
        name = code.copy()
        code = code.where(looks_like_code, "").str.upper()
    as_name = (code == "") & (name != "")
    derived_codes = name[as_name].map(derive_code)
    derived = sorted({f"{n} → {c}" for n, c in zip(name[as_name], derived_codes, strict=True)})
    code = code.copy()
    code[as_name] = derived_codes
    name = name.where(name != "", code)
    if single:  # '8a' and 'Groep 8a' in one column are one class: one code, its fullest name
        longest = name.groupby(code).transform(lambda names: max(names, key=len))
        name = longest.where(code != "", name).astype("str")
    bad = pd.Series("", index=code.index, dtype="str")
    odd = matches(code, _FORBIDDEN_CLASS)
    bad[odd] = code[odd].map(lambda c: " ".join(sorted(set(c) & set(FORBIDDEN))))
    year, year_given, year_source, invalid, unknown = _year_groups(t, columns, code, name)
    year, by_age = _combination_years(t, code, name, year, unknown, school_year)
    unknown &= year.isna()
    return Groups(
        code=code,
        name=name,
        year=year,
        year_given=year_given,
        year_source=year_source,
        missing=(code == "") & (name == ""),
        excel_damaged=matches(name.where(name != "", code), _EXCEL_DAMAGE),
        code_too_long=code.str.len() > MAX_LENGTH["group_code"],
        code_bad_chars=bad != "",
        bad_chars=bad,
        name_too_long=name.str.len() > MAX_LENGTH["group_name"],
        year_invalid=invalid,
        year_unknown=unknown,
        derived=derived,
        by_age=by_age,
    )


def _combination_years(
    t: pd.DataFrame,
    code: pd.Series,
    name: pd.Series,
    year: pd.Series,
    unknown: pd.Series,
    school_year: int,
) -> tuple[pd.Series, list[str]]:
    """Year groups of pupils in a combination group, from their age on 1 October."""
    source = name.where(name != "", code)
    span = extract(source, _TWO_YEARS).astype("float64")
    combined = unknown & span["low"].notna() & pd.to_datetime(t["birth_date"]).notna()
    if not combined.any():
        return year, []
    born = pd.to_datetime(t.loc[combined, "birth_date"])
    before_birthday = (born.dt.month > 10) | ((born.dt.month == 10) & (born.dt.day > 1))
    age = school_year - born.dt.year - before_birthday.astype("int64")
    low = span.loc[combined, ["low", "high"]].min(axis=1)
    high = span.loc[combined, ["low", "high"]].max(axis=1)
    by_age = (age - 3).clip(lower=low, upper=high)
    out = year.copy()
    out[combined] = by_age.astype("Int8")
    return out, sorted(set(source[combined]))


def _year_groups(
    t: pd.DataFrame, columns: dict[str, str], code: pd.Series, name: pd.Series
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series, pd.Series]:
    given = (
        t["year_group"].str.strip()
        if "year_group" in columns
        else pd.Series("", index=t.index, dtype="str")
    )
    valid = given.str.fullmatch(r"[0-9]")
    invalid = (given != "") & ~valid
    from_name = extract(name, _ONE_DIGIT)["digit"]
    from_code = extract(code, _ONE_DIGIT)["digit"]
    derived = from_name.fillna(from_code)
    year_text = given.where(valid, derived.where(given == "")).astype("object")
    year = pd.to_numeric(year_text, errors="coerce").astype("Int8")
    unknown = year.isna() & ~invalid
    source = name.where(name != "", code)
    return year, given, source, invalid, unknown
