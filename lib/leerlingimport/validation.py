"""Validate: the Wise field rules as issues with stable codes (DESIGN §5.2, §7.2; wise.md §2).

Every rule works on whole columns; only the rows that break a rule cost a Python step. Row
errors reject only that row; file errors reject the file. A rejected row's pupil is still
known by ``student_key``, so the sync never deregisters them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from leerlingimport.dates import parse_dates, school_year
from leerlingimport.groups import resolve_groups
from leerlingimport.intake import Ingested
from leerlingimport.intake.headers import ALIASES
from leerlingimport.issue_catalogue import CATALOGUE
from leerlingimport.issues import Issue, Language, bounded, file_errors, make_issue, plural
from leerlingimport.params import SchoolParams
from leerlingimport.schema import (
    CARD_LENGTH,
    CONTACT_FIELDS,
    FIELDS,
    MAX_LENGTH,
    NAME_FIELDS,
    SOURCE_ROW,
)

REQUIRED = {
    "student_number": ("student_number",),
    "surname": ("surname", "full_name"),
    "first_name": ("first_name", "initials", "full_name"),
    "group_code": ("group_code", "group_name"),
}
LABELS = {
    "nl": {
        "student_number": "het leerlingnummer",
        "surname": "de achternaam",
        "first_name": "de roepnaam of voorletters",
        "group_code": "de groep",
    },
    "en": {
        "student_number": "the pupil number",
        "surname": "the surname",
        "first_name": "the first name or initials",
        "group_code": "the group",
    },
}
MAX_REJECTED_SHARE = 0.5
AGES = {"po": (2, 15), "vo": (9, 22), "other": (2, 30)}
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_POSTCODE = r"^(?:[1-9][0-9]{3} (?!SA|SD|SS)[A-Z]{2}|[1-9][0-9]{3})$"


@dataclass(frozen=True)
class Validated:
    """The checked table (every row, with ``row_ok``) and every issue, ingest's included."""

    table: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return bool(file_errors(self.issues))

    @property
    def valid(self) -> pd.DataFrame:
        """The rows to import (none when the file is rejected)."""
        if self.rejected or "row_ok" not in self.table.columns:
            return self.table.iloc[0:0]
        return self.table[self.table["row_ok"]]

    @property
    def rejected_keys(self) -> set[str]:
        """Student keys of rejected rows: these pupils must not be deregistered."""
        if "row_ok" not in self.table.columns:
            return set()
        keys = self.table.loc[~self.table["row_ok"], "student_key"]
        return {k for k in keys if k}


def validate(
    read: Ingested,
    school: SchoolParams,
    *,
    language: Language = "nl",
    today: dt.date | None = None,
) -> Validated:
    """Apply every rule to the ingested table; the input is not changed."""
    if read.rejected:
        return Validated(read.table, list(read.issues))
    missing = _missing_columns(read, language)
    if missing:
        return Validated(read.table, [*read.issues, *missing])
    check = _Checker(read, school, language)
    check.school_of_file()
    check.student_numbers()
    check.card_numbers()
    check.birth_dates(today or dt.date.today())
    check.groups(school_year(today or dt.date.today()))
    check.names()
    check.contact_fields()
    check.lengths()
    check.duplicates()
    return check.result()


def _pupils(count: int, language: Language) -> str:
    return (
        plural(count, "leerling", "leerlingen")
        if language == "nl"
        else plural(count, "pupil", "pupils")
    )


def normalise_student_numbers(values: pd.Series, school: SchoolParams) -> pd.Series:
    """The school's student number rules: a BRIN prefix and/or leading zeros ignored."""
    key = values.fillna("").astype("str").str.strip()
    if school.student_number.strip_brin_prefix:
        key = key.str.replace(rf"^{school.brin}[-_ ]?", "", regex=True, case=False)
    if school.student_number.strip_leading_zeros:
        stripped = key.str.lstrip("0")
        key = stripped.where((stripped != "") | (key == ""), "0")
    return key


def _missing_columns(read: Ingested, language: Language) -> list[Issue]:
    issues = []
    for need, options in REQUIRED.items():
        if not any(o in read.columns for o in options):
            aliases = [a.upper() for o in options if o in ALIASES for a in ALIASES[o]]
            issues.append(
                make_issue(
                    "missing-column",
                    field=LABELS[language][need],
                    aliases=bounded(aliases, 6, language),
                    language=language,
                )
            )
    return issues


class _Checker:
    """The rules, each adding issues and marking rejected rows on one working copy."""

    def __init__(self, read: Ingested, school: SchoolParams, language: Language) -> None:
        table = read.table.copy()
        for name in FIELDS:
            if name not in table.columns:
                table[name] = pd.Series("", index=table.index, dtype="str")
        self.t = table.drop(columns=["full_name"])
        self.read, self.school, self.language = read, school, language
        self.issues: list[Issue] = list(read.issues)
        ingest_errors = {i.row for i in read.issues if i.severity == "error" and i.row}
        self.errors = self.t[SOURCE_ROW].isin(ingest_errors)
        self.broken = self.errors.copy()  # rows read wrongly (field count): no more noise

    def header(self, name: str) -> str:
        return self.read.columns.get(name, name)

    def flag(
        self,
        code: str,
        mask: pd.Series,
        column: str,
        values: pd.Series | None = None,
        **details: object,
    ) -> None:
        """One issue per masked row; errors also reject the row."""
        mask = mask & ~self.broken
        if not mask.any():
            return
        shown = self.t[column] if values is None else values
        rows = self.t.loc[mask, SOURCE_ROW].tolist()
        for index, row in zip(mask[mask].index, rows, strict=True):
            extra = {k: (v[index] if isinstance(v, pd.Series) else v) for k, v in details.items()}
            issue = make_issue(
                code,
                row=row,
                column=self.header(column),
                value=shown[index],
                language=self.language,
                **extra,
            )
            self.issues.append(issue)
        if CATALOGUE[code][0] == "error":
            self.errors |= mask

    def student_numbers(self) -> None:
        self.t["student_key"] = normalise_student_numbers(self.t["student_number"], self.school)
        key = self.t["student_key"]
        self.flag("student-number-missing", key == "", "student_number")
        too_long = key.str.len() > MAX_LENGTH["student_number"]
        self.flag("student-number-too-long", too_long, "student_number")

    def school_of_file(self) -> None:
        """A file that names its school (a BRIN column, EDEXML's brincode) names this one."""
        named = self.t["school_brin"].fillna("").astype("str").str.strip().str.upper()
        found = sorted(set(named[named != ""].str.slice(0, 4)) - {self.school.brin})
        if found:
            self.issues.append(
                make_issue(
                    "wrong-school-brin",
                    column=self.header("school_brin"),
                    found=bounded(found, 3, self.language),
                    brin=self.school.brin,
                    name=self.school.name,
                    language=self.language,
                )
            )

    def card_numbers(self) -> None:
        """A card number is the library's (digits, its length), never the school's pupil number
        or access pass: anything else is ignored with a warning, and the row goes on without."""
        card = self.t["card_number"].fillna("").astype("str").str.replace(" ", "", regex=False)
        given = card != ""
        wrong = given & ~card.str.fullmatch(rf"\d{{{CARD_LENGTH}}}")
        same = given & ((card == self.t["student_number"]) | (card == self.t["student_key"]))
        self.flag("card-number-ignored", wrong | same, "card_number", length=CARD_LENGTH)
        self.t["card_number"] = card.where(given & ~wrong & ~same, "")

    def groups(self, year: int) -> None:
        resolved = resolve_groups(self.t, self.read.columns, year)
        self.t["group_code"], self.t["group_name"] = resolved.code, resolved.name
        self.t["year_group"] = resolved.year
        self.flag("group-missing", resolved.missing, "group_code")
        self.flag("group-changed-by-excel", resolved.excel_damaged, "group_code")
        self.flag("group-code-too-long", resolved.code_too_long, "group_code")
        self.flag(
            "group-code-invalid-character",
            resolved.code_bad_chars,
            "group_code",
            chars=resolved.bad_chars,
        )
        self.flag("group-name-too-long", resolved.name_too_long, "group_name")
        self.flag(
            "year-group-invalid", resolved.year_invalid, "year_group", values=resolved.year_given
        )
        self.flag(
            "year-group-unknown",
            resolved.year_unknown & ~resolved.missing & ~resolved.excel_damaged,
            "group_code",
            values=resolved.year_source,
        )
        if resolved.by_age:
            self.issues.append(
                make_issue(
                    "year-group-derived",
                    detail=bounded(resolved.by_age, 6, self.language),
                    language=self.language,
                )
            )
        if resolved.derived:
            self.issues.append(
                make_issue(
                    "group-code-derived",
                    language=self.language,
                    detail=bounded(resolved.derived, 4, self.language),
                )
            )

    def names(self) -> None:
        first, initials = self.t["first_name"], self.t["initials"]
        self.flag("name-missing", (first == "") & (initials == ""), "first_name")
        self.flag("surname-missing", self.t["surname"] == "", "surname")
        derive = (initials == "") & (first != "")
        if derive.any():
            self.t.loc[derive, "initials"] = first[derive].str.slice(0, 1).str.upper() + "."
            self.issues.append(
                make_issue(
                    "initials-derived",
                    count=_pupils(int(derive.sum()), self.language),
                    language=self.language,
                )
            )

    def birth_dates(self, today: dt.date) -> None:
        given = self.t["birth_date"]
        dates, status = parse_dates(given)
        self.flag("birth-date-invalid", status == "bad", "birth_date")
        self.flag("birth-date-ambiguous", status == "ambiguous", "birth_date")
        self.flag("birth-date-month-first", status == "month_first", "birth_date")
        low, high = AGES[self.school.sector]
        age = (pd.Timestamp(today) - dates).dt.days // 365.25
        self.flag(
            "birth-date-implausible",
            (age < low) | (age > high),
            "birth_date",
            age=age.astype("Int64").astype("str"),
        )
        self.t["birth_date"] = dates.where((age >= low) & (age <= high))

    def contact_fields(self) -> None:
        t = self.t
        odd_sex = ~t["sex"].isin(["M", "V", "X", ""])
        self.flag("sex-unknown", odd_sex, "sex")
        t.loc[odd_sex, "sex"] = ""
        for name, pattern, code in (
            ("email", _EMAIL, "email-invalid"),
            ("postcode", _POSTCODE, "postcode-invalid"),
        ):
            bad = (t[name] != "") & ~t[name].str.fullmatch(pattern)
            self.flag(code, bad, name)
            t.loc[bad, name] = ""

    def lengths(self) -> None:
        """Every stored value fits its column (schema.MAX_LENGTH, which the tables are made
        from): a name too long rejects the row; a contact field too long is left out."""
        for name in (*NAME_FIELDS, *CONTACT_FIELDS):
            limit = MAX_LENGTH[name]
            too_long = self.t[name].str.len() > limit
            if name in NAME_FIELDS:
                self.flag("field-too-long", too_long, name, limit=limit)
            else:
                self.flag("field-too-long-dropped", too_long, name, limit=limit)
                self.t.loc[too_long, name] = ""

    def duplicates(self) -> None:
        for column, key, code in (
            ("student_number", "student_key", "duplicate-student-number"),
            ("card_number", "card_number", "duplicate-card-number"),
        ):
            values = self.t[key]
            twice = values.duplicated(keep=False) & (values != "")
            if twice.any():
                rows = (
                    self.t[twice]
                    .groupby(key)[SOURCE_ROW]
                    .agg(lambda r: bounded([str(x) for x in sorted(r)], 8, self.language))
                )
                self.flag(code, twice, column, values=self.t[column], rows=values.map(rows))
        self._same_person()
        self._group_conflicts()

    def _same_person(self) -> None:
        """The same child twice (same name, first name and birth date, other numbers): both
        rows are rejected, so no child becomes two customers; neither is deregistered."""
        from leerlingimport.names import folded, name_keys

        born = pd.to_datetime(self.t["birth_date"])
        dated = born.notna()
        key = (
            name_keys(self.t["prefix"], self.t["surname"])
            + "|"
            + folded(self.t["first_name"])
            + "|"
            + born.dt.strftime("%Y-%m-%d").fillna("")
        )
        twice = dated & key.duplicated(keep=False) & ~self.t["student_key"].duplicated(keep=False)
        if twice.any():
            rows = (
                self.t[twice]
                .groupby(key[twice])[SOURCE_ROW]
                .agg(lambda r: bounded([str(x) for x in sorted(r)], 8, self.language))
            )
            self.flag("duplicate-person", twice, "surname", rows=key.map(rows))

    def _group_conflicts(self) -> None:
        # Among rows without errors so far: a row rejected for its code is reported once.
        t = self.t[(self.t["group_code"] != "") & (self.t["group_name"] != "") & ~self.errors]
        for key, other, code, label in (
            ("group_code", "group_name", "group-code-conflict", "names"),
            ("group_name", "group_code", "group-name-conflict", "codes"),
        ):
            counts = t.groupby(key)[other].nunique()
            clashing = counts[counts > 1].index
            if len(clashing):
                listed = (
                    t[t[key].isin(clashing)]
                    .groupby(key)[other]
                    .agg(lambda v: ", ".join(sorted(set(v))))
                )
                mask = self.t[key].isin(clashing) & ~self.errors
                self.flag(code, mask, key, **{label: self.t[key].map(listed)})

    def result(self) -> Validated:
        self.t["row_ok"] = ~self.errors
        rows, rejected = len(self.t), int(self.errors.sum())
        if rows and (rejected == rows or (rows >= 4 and rejected > MAX_REJECTED_SHARE * rows)):
            self.issues.append(
                make_issue(
                    "too-many-rejected", rejected=rejected, rows=rows, language=self.language
                )
            )
        return Validated(self.t, self.issues)
