"""Pure clean-ups of the canonical table: names, postcodes, sex codes, house numbers.

Column-wise, with pyarrow compute (C, RE2 regular expressions) doing the per-value work.
Values that cannot be understood are left as given, so validation can name them.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leerlingimport.schema import NAME_FIELDS
from leerlingimport.textops import any_match, arrow, prefixes

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
_POSTCODE = r"^\s*([1-9][0-9]{3})\s*([A-Za-z]{2})\s*$"
# 12-2, 12 hs, 12 / 3 (separated) or 12a, 12bis (glued): the character after the digits
# tells which, so one pass of one pattern splits both.
_HOUSE = (
    r"^(?P<number>[0-9]+)"
    r"(?:\s*[-/\s]\s*(?P<separated>\S.{0,9})|(?P<glued>[^\s0-9/-].{0,9}))$"
)
_SPACES = re.compile(r"\s+")


def normalise_table(table: pd.DataFrame, *, single_spaces: bool = False) -> pd.DataFrame:
    """A cleaned copy of the canonical table; the input is not changed. ``single_spaces``:
    the caller knows that no value has whitespace but single spaces between other
    characters (``plain.tidy``)."""
    out = table.copy()
    if "full_name" in out.columns:
        out = _split_full_names(out)
        single_spaces = False  # said of the file's values, not of the parts made here
    for column in (*NAME_FIELDS, "group_name", "city", "street"):
        if column in out.columns:
            out[column] = clean_names(out[column], single_spaces=single_spaces)
    if "postcode" in out.columns:
        out["postcode"] = normalise_postcodes(out["postcode"])
    if "sex" in out.columns:
        out["sex"] = normalise_sex(out["sex"])
    if "house_number" in out.columns:
        out = _split_house_numbers(out)
    return out


_SEX_FROM = pa.array(list(SEX_CODES), pa.large_string())
_SEX_TO = pa.array(list(SEX_CODES.values()), pa.large_string())


def normalise_sex(values: pd.Series) -> pd.Series:
    """The code of a sex a file writes in a word or a number (``SEX_CODES``, in any case);
    anything else as given."""
    text = arrow(values)
    codes = pc.take(_SEX_TO, pc.index_in(pc.utf8_lower(text), value_set=_SEX_FROM))
    return _series(pc.coalesce(codes, text), values)


_BREAKS = r"[\t\n\r\x0b\x0c\x85\x{2028}\x{2029}]"  # line breaks inside a value: a space
# Control characters but TAB, format characters (zero-width, bidi overrides), line separators.
_HIDDEN = r"[\x00-\x08\x0a-\x1f\x7f-\x9f\p{Cf}\p{Zl}\p{Zp}]"


def strip_hidden(table: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, list[int]]:
    """A copy of ``table`` without control, format (zero-width, bidirectional override) and
    line-separator characters in ``columns``, and the rows (``source_row``) that had any: an
    escape sequence or a right-to-left override in a name is never stored or echoed."""
    out = table.copy()
    touched = pd.Series(False, index=out.index)
    for column in columns:
        if not any_match(out[column], _HIDDEN):
            continue
        text = arrow(out[column])
        hidden = pc.match_substring_regex(text, _HIDDEN)
        spaced = pc.replace_substring_regex(text, _BREAKS, " ")
        out[column] = _series(pc.replace_substring_regex(spaced, _HIDDEN, ""), out[column])
        touched |= pd.Series(hidden, index=out.index, dtype="bool")
    return out, [int(r) for r in out.loc[touched, "source_row"]]


# UTF-8 read as Windows-1252 (or Latin-1): 'ë' becomes 'Ã«', 'ş' becomes 'ÅŸ'. A lead byte's
# letter followed by what a continuation byte looks like in Windows-1252 is never Dutch text.
_CONTINUATION = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
_CONTINUATION += "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
_MOJIBAKE = f"[\u00c2-\u00c5][{_CONTINUATION}]"
_EXCEL_TEXT = r'^="(.*)"$'  # Excel's ="01001", written to keep leading zeros


def repair_text(table: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """A copy of ``table`` with Excel's ``="01001"`` unwrapped and double-encoded text
    ('ZoÃ«') decoded back ('Zoë'); returns examples of what was repaired, for a warning."""
    out = table.copy()
    examples: list[str] = []
    for column in columns:
        text = arrow(out[column])
        wrapped = pc.match_substring_regex(text, _EXCEL_TEXT)
        if pc.any(wrapped).as_py():
            text = pc.if_else(wrapped, pc.replace_substring_regex(text, _EXCEL_TEXT, r"\1"), text)
            out[column] = _series(text, out[column])
        if not any_match(out[column], _MOJIBAKE):
            continue
        garbled = pd.Series(pc.match_substring_regex(text, _MOJIBAKE), index=out.index)
        if garbled.fillna(False).astype(bool).any():
            before = out.loc[garbled.fillna(False).astype(bool), column]
            after = before.map(_undo_mojibake)
            out.loc[after.index, column] = after
            examples += [f"'{b}' → '{a}'" for b, a in zip(before, after, strict=True) if a != b]
    return out, examples


def _undo_mojibake(value: str) -> str:
    for wrong in ("cp1252", "latin-1"):
        try:
            return value.encode(wrong).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return value


def clean_name(value: str) -> str:
    """Unicode NFC with whitespace collapsed: ``' Zoë   de '`` → ``'Zoë de'``."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


_UNTIDY = r"^\s|\s$|\s\s|[^\S ]|[^\x00-\x7f]"  # odd whitespace, or non-ASCII (maybe not NFC)
_UNTIDY_SPACE = r"\s\s|[^\S ]"  # without these, _UNTIDY is an edge space or a non-ASCII character


def clean_names(values: pd.Series, *, single_spaces: bool = False) -> pd.Series:
    """``clean_name`` for a whole column of text (none missing): one pass over the column
    run together finds whether it has odd whitespace; then only the values that may change
    (that whitespace, an edge space, a non-ASCII character) are cleaned. ``single_spaces``:
    the caller knows no value has whitespace but single spaces between other characters."""
    text = arrow(values)
    spaced = not single_spaces and any_match(values, _UNTIDY_SPACE)
    if spaced:
        untidy = pc.match_substring_regex(text, _UNTIDY)
    else:  # no whitespace but single spaces: the same values, without a regex per value
        untidy = pc.invert(pc.string_is_ascii(text))
        if not single_spaces:
            edges = pc.or_(pc.starts_with(text, " "), pc.ends_with(text, " "))
            untidy = pc.or_(edges, untidy)
    if not pc.any(untidy).as_py():
        return values
    given = pc.filter(text, untidy)
    subset = pc.utf8_normalize(given, "NFC")  # NFC never makes ASCII whitespace
    if spaced:
        subset = pc.replace_substring_regex(subset, r"\s+", " ")
    subset = pc.utf8_trim_whitespace(subset)
    if pc.all(pc.equal(subset, given)).as_py():
        return values
    return _series(pc.replace_with_mask(text, untidy, subset), values)


_CANONICAL_POSTCODE = r"^[1-9][0-9]{3} [A-Z]{2}$"  # as normalise_postcodes leaves a postcode


def normalise_postcodes(values: pd.Series) -> pd.Series:
    """``1234ab`` → ``1234 AB``; anything else as given (trimmed)."""
    text = arrow(values)
    canonical = pc.match_substring_regex(text, _CANONICAL_POSTCODE)  # one DFA pass
    if pc.all(canonical).as_py():
        return values
    other = pc.invert(pc.fill_null(canonical, False))
    some = pc.filter(text, other)
    tidy = pc.utf8_upper(pc.replace_substring_regex(some, _POSTCODE, r"\1 \2"))
    matched = pc.match_substring_regex(some, _POSTCODE)
    some = pc.if_else(matched, tidy, pc.utf8_trim_whitespace(some))
    return _series(pc.replace_with_mask(text, other, some), values)


def _series(array: pa.Array, like: pd.Series) -> pd.Series:
    return pd.Series(array, index=like.index, dtype="str")


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
    # The surname starts at the first Dutch surname prefix after the first name(s):
    # 'Anna Maria de Vries' is Anna Maria + de + Vries.
    for start in range(1, len(words) - 1):
        rest = " ".join(words[start:])
        for prefix in PREFIXES:
            if rest.lower().startswith(prefix + " "):
                return " ".join(words[:start]), rest[: len(prefix)], rest[len(prefix) + 1 :]
    return words[0], "", " ".join(words[1:])


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
            out[column] = parts.map(lambda p, i=i: p[i]).astype("str")
    return out


def _split_house_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """``12a`` → ``12`` + ``a`` when the file has no (filled) addition column."""
    out = table.copy()
    text = arrow(out["house_number"])
    # Only values with something besides digits can split: the regexes see those alone.
    maybe = pc.invert(pc.utf8_is_digit(text))
    if "house_number_suffix" in out.columns:
        suffix = arrow(out["house_number_suffix"])
        maybe = pc.and_(maybe, pc.equal(suffix, ""))
        suffix = pc.utf8_trim_whitespace(suffix)
    else:
        suffix = _empty_texts(len(text))
    maybe = pc.fill_null(maybe, False)
    number, addition = text, suffix
    if pc.any(maybe).as_py():
        some_number, some_addition = _house_parts(pc.filter(text, maybe))
        number = pc.replace_with_mask(text, maybe, some_number)
        some_addition = pc.utf8_trim_whitespace(some_addition)
        addition = pc.replace_with_mask(suffix, maybe, some_addition)
    out["house_number"] = _series(number, out["house_number"])
    out["house_number_suffix"] = _series(addition, out["house_number"])
    return out


def _empty_texts(count: int) -> pa.Array:
    """``count`` empty strings."""
    offsets = pa.py_buffer(np.zeros(count + 1, np.int64))
    return pa.Array.from_buffers(pa.large_string(), count, [None, offsets, pa.py_buffer(b"")])


_GLUED = r"^[^\s0-9/-][^\n]{0,9}$"  # after the digits, what only _HOUSE's glued branch takes
_SEPARATED = r"^[-/]\S[^\n]{0,9}$"  # and one its separated branch takes: '-' or '/', then it


def _house_parts(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """_HOUSE's number and addition of each value (the value and '' where it does not match).
    Digits and then a glued addition ('169II', '12a') or a '-' or '/' and an addition
    ('154-1'), where the regex has only one way to match, are cut without it: its captures
    cost a slow regex run per value."""
    rest = pc.utf8_ltrim(values, characters="0123456789")  # the regex takes all digits
    digits = pc.subtract(pc.binary_length(values), pc.binary_length(rest))
    separated = pc.match_substring_regex(rest, _SEPARATED)
    glued = pc.match_substring_regex(rest, _GLUED)
    simple = pc.and_(pc.greater(digits, 0), pc.or_(glued, separated))
    number = prefixes(values, digits.to_numpy(zero_copy_only=False))
    addition = pc.if_else(separated, pc.utf8_slice_codeunits(rest, 1), rest)
    hard = pc.invert(simple)
    if pc.any(hard).as_py():
        some = pc.filter(values, hard)
        parts = pc.extract_regex(some, _HOUSE)
        split = parts.is_valid()
        none = pa.scalar("", values.type)
        glued_or_separated = pc.binary_join_element_wise(
            parts.field("separated"), parts.field("glued"), none
        )
        number = pc.replace_with_mask(number, hard, pc.if_else(split, parts.field("number"), some))
        addition = pc.replace_with_mask(addition, hard, pc.if_else(split, glued_or_separated, none))
    return number, addition
