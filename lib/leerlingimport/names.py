"""Names as the matching compares them: case-folded, NFC, accents and punctuation folded.

``Vries``, ``VRIES`` and ``vries`` are one name; so are ``Zoë`` and ``Zoe``, and ``de Vries``
whether the school writes the prefix in its own column or in the surname. The stored name key
(``customers.name_key``) is ``fold(prefix + surname)``, written by every path that writes a
name, so the personal-data lookup is one indexed join.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pandas as pd

NAME_KEY_LENGTH = 120


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """``'Çelik-Öztürk '`` → ``'celikozturk'``: letters and digits only, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", text).casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def name_key(prefix: str | None, surname: str | None) -> str:
    """The stored key of one person's full surname (prefix included)."""
    return fold(f"{prefix or ''}{surname or ''}")[:NAME_KEY_LENGTH]


def folded(values: pd.Series) -> pd.Series:
    """``fold`` over a text column (missing values are empty)."""
    return values.fillna("").astype("str").map(fold).astype("str")


def name_keys(prefix: pd.Series, surname: pd.Series) -> pd.Series:
    """``name_key`` over two text columns."""
    text = prefix.fillna("").astype("str") + surname.fillna("").astype("str")
    return text.map(fold).str.slice(0, NAME_KEY_LENGTH).astype("str")
