"""Fictional pupils: names from the communities Dutch and Flemish schools serve, ages that fit
their year group, and the next school year of the same school (leavers, newcomers, moves)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from typing import TypeVar

T = TypeVar("T")

BOYS = {
    "nl": ["Noah", "Daan", "Sem", "Luuk", "Jesse", "Bram", "Thijs", "Finn", "Mees", "Teun", "Joep"],
    "tr": ["Emir", "Yusuf", "Mert", "Kerem", "Arda", "Efe", "Burak", "Çağan"],
    "ma": ["Mohamed", "Adam", "Ayoub", "Bilal", "Ismaël", "Rayan", "Amine", "Soufiane"],
    "be": ["Arthur", "Lucas", "Louis", "Wout", "Stan", "Seppe", "Warre", "Jef"],
}
GIRLS = {
    "nl": ["Emma", "Julia", "Fenna", "Sanne", "Tess", "Zoë", "Noor", "Lieke", "Saar", "Anouk"],
    "tr": ["Elif", "Zeynep", "Ayşe", "Yasmin", "Defne", "Ecrin", "Melis", "Büşra"],
    "ma": ["Yasmina", "Amira", "Noor", "Salma", "Hiba", "Imane", "Naïma", "Sara"],
    "be": ["Lotte", "Mila", "Ella", "Marie", "Fien", "Lore", "Nore", "Jolien"],
}
SURNAMES = {
    "nl": [
        ("", "Bakker"),
        ("de", "Vries"),
        ("van", "Dijk"),
        ("", "Jansen"),
        ("van der", "Meer"),
        ("", "Visser"),
        ("de", "Boer"),
        ("van den", "Broek"),
        ("", "Mulder"),
        ("van 't", "Hof"),
        ("ter", "Horst"),
        ("", "Smit"),
        ("in 't", "Veld"),
        ("", "Bakker-van Dam"),
        ("de", "Jong"),
    ],
    "tr": [
        ("", "Yılmaz"),
        ("", "Öztürk"),
        ("", "Çelik"),
        ("", "Şahin"),
        ("", "Demir"),
        ("", "Kaya"),
    ],
    "ma": [("el", "Amrani"), ("", "Bouzid"), ("", "El Idrissi"), ("", "Benali"), ("", "Ait Taleb")],
    "be": [("", "Van Damme"), ("", "De Smet"), ("", "Vandenberghe"), ("", "Peeters"), ("", "Maes")],
}
STREETS = ["Kerkstraat", "Dorpsweg", "Molenlaan", "Schoolstraat", "Beukenlaan", "Stationsplein"]
CITIES = [("1234", "Voorbeelddorp"), ("5678", "Ergensstad"), ("2345", "Zandhoven")]
SUFFIXES = ["", "", "", "", "a", "b", "II", "-1", "hs"]


@dataclass(frozen=True)
class Pupil:
    """One fictional pupil as the school's administration holds them."""

    student_number: str
    first_name: str
    initials: str
    prefix: str
    surname: str
    birth_date: dt.date
    sex: str  # "M" or "V"
    year_group: int
    group_code: str
    group_name: str
    street: str
    house_number: str
    house_number_suffix: str
    postcode: str
    city: str
    email: str


@dataclass(frozen=True)
class SchoolSpec:
    brin: str
    name: str
    sector: str  # "po" or "vo"
    origins: tuple[str, ...]  # name pools, e.g. ("nl", "tr", "ma")
    school_year: int  # the year the school year starts (1 August)
    cp1252_names: bool = False  # the school's export can only hold Windows-1252 characters


def make_pupils(spec: SchoolSpec, count: int, rng: random.Random, first_number: int) -> list[Pupil]:
    """``count`` pupils spread over the school's year groups, numbered from ``first_number``."""
    years = range(1, 9) if spec.sector == "po" else range(1, 7)
    return [_new_pupil(spec, rng, first_number + i, years[i % len(years)]) for i in range(count)]


def next_school_year(
    spec: SchoolSpec, pupils: list[Pupil], rng: random.Random, first_number: int, newcomers: int
) -> tuple[SchoolSpec, list[Pupil], list[Pupil]]:
    """The same school one year on: everyone a year up, the last year gone, a few leavers and
    movers, and ``newcomers`` new pupils. Returns the new spec, its pupils, and the pupils who
    left for another school (the caller may enrol them elsewhere)."""
    last_year = 8 if spec.sector == "po" else 6
    new_spec = replace(spec, school_year=spec.school_year + 1)
    stayed, left = [], []
    for p in pupils:
        if p.year_group >= last_year:
            continue
        if rng.random() < 0.05:
            left.append(p)
            continue
        moved = _moved(p, rng) if rng.random() < 0.1 else p
        stayed.append(_regroup(new_spec, moved, p.year_group + 1))
    fresh = [_new_pupil(new_spec, rng, first_number + i, 1) for i in range(newcomers)]
    return new_spec, stayed + fresh, left


def transfer_in(spec: SchoolSpec, pupil: Pupil, student_number: str) -> Pupil:
    """A pupil from another school as this school registers them (new number, new group)."""
    return replace(_regroup(spec, pupil, pupil.year_group), student_number=student_number)


def _new_pupil(spec: SchoolSpec, rng: random.Random, number: int, year: int) -> Pupil:
    origin = rng.choice(spec.origins)
    sex = rng.choice("MV")
    first = _pick(rng, (BOYS if sex == "M" else GIRLS)[origin], spec)
    prefix, surname = _pick(rng, SURNAMES[origin], spec)
    postcode_digits, city = rng.choice(CITIES)
    base = Pupil(
        student_number=_student_number(spec, number),
        first_name=first,
        initials=_initials(first, rng),
        prefix=prefix,
        surname=surname,
        birth_date=_birth_date(spec, year, rng),
        sex=sex,
        year_group=year,
        group_code="",
        group_name="",
        street=rng.choice(STREETS),
        house_number=str(rng.randint(1, 180)),
        house_number_suffix=rng.choice(SUFFIXES),
        postcode=_postcode(rng, postcode_digits),
        city=city,
        email="",
    )
    return _regroup(spec, base, year)


def _regroup(spec: SchoolSpec, p: Pupil, year: int) -> Pupil:
    parallel = "ab"[int(p.student_number[-1:] or 0) % 2]
    if spec.sector == "po":
        if year <= 2:
            code, name = f"G12{parallel.upper()}", f"Groep 1/2{parallel}"
        else:
            code, name = f"G{year}{parallel.upper()}", f"Groep {year}{parallel}"
    else:
        stream = "H" if int(p.student_number[-2:-1] or 0) % 2 else "V"
        code = f"{stream}{year}{parallel}"
        name = f"{'HAVO' if stream == 'H' else 'VWO'} {year}{parallel}"
    email = f"{p.student_number}@leerling.example.nl" if spec.sector == "vo" else ""
    return replace(p, year_group=year, group_code=code, group_name=name, email=email)


def _moved(p: Pupil, rng: random.Random) -> Pupil:
    digits, city = rng.choice(CITIES)
    return replace(
        p,
        street=rng.choice(STREETS),
        house_number=str(rng.randint(1, 180)),
        postcode=_postcode(rng, digits),
        city=city,
    )


def _postcode(rng: random.Random, digits: str) -> str:
    # Never SA, SD or SS: those letter pairs are not used in Dutch postcodes.
    return f"{digits} {rng.choice('ABCDEGHJKLMNPRTVWXZ')}{rng.choice('ABEGKLMNRTVZ')}"


def fits(spec: SchoolSpec, pupil: Pupil) -> bool:
    """Whether the school's export can hold the pupil's name."""
    return not spec.cp1252_names or _cp1252_ok((pupil.first_name, pupil.prefix, pupil.surname))


def _pick(rng: random.Random, pool: list[T], spec: SchoolSpec) -> T:
    if spec.cp1252_names:
        pool = [v for v in pool if _cp1252_ok(v)]
    return rng.choice(pool)


def _cp1252_ok(value: object) -> bool:
    text = "".join(value) if isinstance(value, tuple) else str(value)
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _initials(first: str, rng: random.Random) -> str:
    second = rng.choice(["", "", "", "A", "E", "M", "J"])
    letters = first[0].upper() + second
    return "".join(f"{c}." for c in letters) if rng.random() < 0.7 else letters


def _birth_date(spec: SchoolSpec, year: int, rng: random.Random) -> dt.date:
    # groep g is about age g+4 on 1 October; leerjaar l about age l+11.
    age = year + 4 if spec.sector == "po" else year + 11
    reference = dt.date(spec.school_year, 10, 1)
    born_by = dt.date(reference.year - age, reference.month, reference.day)
    return born_by - dt.timedelta(days=rng.randint(0, 364))


def _student_number(spec: SchoolSpec, number: int) -> str:
    # Primary schools often zero-pad to six digits; secondary schools do not.
    return f"{number:06d}" if spec.sector == "po" else str(number)
