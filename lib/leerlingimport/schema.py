"""Canonical column names of the pupil table, once."""

from __future__ import annotations

from typing import Final

CARD_LENGTH: Final = 14  # the library's card numbers: prefix + sequence + Luhn check digit
SOURCE_ROW: Final = "source_row"  # the row number as the school sees it (header row counted)

# Canonical pupil fields, in display order.
FIELDS: Final = (
    "card_number",
    "student_number",
    "group_code",
    "group_name",
    "year_group",
    "initials",
    "first_name",
    "prefix",
    "surname",
    "full_name",  # only from a file with one combined name column; split by ingest
    "birth_date",
    "sex",
    "street",
    "house_number",
    "house_number_suffix",
    "postcode",
    "city",
    "email",
    "school_brin",  # the school the file says it is from (a BRIN column, EDEXML's brincode)
)

NAME_FIELDS: Final = ("initials", "first_name", "prefix", "surname")
CONTACT_FIELDS: Final = (
    "street",
    "house_number",
    "house_number_suffix",
    "postcode",
    "city",
    "email",
)

# The longest value each stored field takes: the database columns are made from this table
# (db/tables.py), and validate checks every value against it, so no value fails on one
# database and not on another.
MAX_LENGTH: Final = {
    "card_number": 20,
    "student_number": 20,
    "group_code": 10,
    "group_name": 30,
    "initials": 20,
    "first_name": 100,
    "prefix": 20,
    "surname": 100,
    "street": 100,
    "house_number": 10,
    "house_number_suffix": 10,
    "postcode": 10,
    "city": 100,
    "email": 200,
}
