"""The demo library's schools, two school years of their pupils, and the sample files."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from leerlingimport.synthetic import exports
from leerlingimport.synthetic.people import (
    Pupil,
    SchoolSpec,
    fits,
    make_pupils,
    next_school_year,
    transfer_in,
)

FIRST_YEAR = 2026
DEMO_SCHOOLS = (
    # brin, name, sector, name pools, first student number, exported with, cp1252 only
    ("99ZZ", "OBS De Regenboog", "po", ("nl", "tr", "ma"), 4001, "parnassys", False),
    ("99YY", "CBS De Wegwijzer", "po", ("nl", "ma", "be"), 1201, "handmade", False),
    ("99XX", "Het Voorbeeld College", "vo", ("nl", "tr", "ma"), 21001, "magister", False),
    ("99WW", "SG Noorderlicht", "vo", ("nl", "ma", "tr"), 104001, "somtoday", True),
)


@dataclass(frozen=True)
class SchoolYears:
    """One demo school's pupils in the first and the next school year."""

    spec: SchoolSpec
    las: str
    first: list[Pupil]
    next_spec: SchoolSpec
    next: list[Pupil]


def demo_library(seed: int = 2026, pupils: int = 60) -> dict[str, SchoolYears]:
    """Every demo school's two school years; pupils who leave a school may turn up at another
    school of the same sector the next year (a transfer)."""
    rng = random.Random(seed)
    firsts: dict[str, tuple[SchoolSpec, str, list[Pupil], int]] = {}
    for brin, name, sector, origins, start, las, cp1252 in DEMO_SCHOOLS:
        spec = SchoolSpec(brin, name, sector, origins, FIRST_YEAR, cp1252_names=cp1252)
        firsts[brin] = (spec, las, make_pupils(spec, pupils, rng, start), start)
    nexts: dict[str, tuple[SchoolSpec, list[Pupil], list[Pupil]]] = {}
    for brin, (spec, _las, first, start) in firsts.items():
        nexts[brin] = next_school_year(spec, first, rng, start + 2 * pupils, pupils // 8)
    _exchange_leavers(nexts)
    return {
        brin: SchoolYears(spec, las, first, nexts[brin][0], nexts[brin][1])
        for brin, (spec, las, first, _start) in firsts.items()
    }


def _exchange_leavers(nexts: dict[str, tuple[SchoolSpec, list[Pupil], list[Pupil]]]) -> None:
    """Leavers of one school join the other school of the same sector, with a new number."""
    brins = list(nexts)
    for brin in brins:
        spec, _pupils, left = nexts[brin]
        other = next(b for b in brins if b != brin and nexts[b][0].sector == spec.sector)
        other_spec, other_pupils, _ = nexts[other]
        movers = [p for p in left if fits(other_spec, p)]
        for i, pupil in enumerate(movers[: max(1, len(movers) // 2)]):
            number = f"9{i:03d}{pupil.student_number[-2:]}"
            other_pupils.append(transfer_in(other_spec, pupil, number))


def write_samples(out: Path, seed: int = 2026, pupils: int = 60) -> list[Path]:
    """Write the sample exports of the demo library to ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(name: str, data: bytes) -> None:
        path = out / name
        path.write_bytes(data)
        written.append(path)

    for brin, years in demo_library(seed, pupils).items():
        for spec, roster in ((years.spec, years.first), (years.next_spec, years.next)):
            stem = f"{brin}_{years.las}_{spec.school_year}-{spec.school_year + 1}"
            for suffix, writer in WRITERS[years.las]:
                put(stem + suffix, writer(spec, roster))
            if years.las == "parnassys" and spec is years.spec:
                put(
                    f"{brin}_EDEX_{spec.school_year}-{spec.school_year + 1}.xml",
                    exports.edexml(spec, roster),
                )
                put(
                    stem + ".zip",
                    exports.zipped(stem + ".csv", exports.parnassys_csv(spec, roster)),
                )
    return written


WRITERS: dict[str, list[tuple[str, exports.Writer]]] = {
    "parnassys": [(".csv", exports.parnassys_csv)],
    "handmade": [
        (".ods", exports.handmade_ods),
        (".xls", exports.handmade_xls),
        (".csv", exports.handmade_csv),
    ],
    "magister": [(".xlsx", exports.magister_xlsx)],
    "somtoday": [(".csv", exports.somtoday_csv)],
}
