"""Synthetic, fictional pupils and school exports: the only pupils this project ever holds."""

from leerlingimport.synthetic.people import Pupil, SchoolSpec, make_pupils, next_school_year
from leerlingimport.synthetic.samples import DEMO_SCHOOLS, SchoolYears, demo_library, write_samples

__all__ = [
    "DEMO_SCHOOLS",
    "Pupil",
    "SchoolSpec",
    "SchoolYears",
    "demo_library",
    "make_pupils",
    "next_school_year",
    "write_samples",
]
