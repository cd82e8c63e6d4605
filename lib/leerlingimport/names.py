"""Names as the matching compares them: case-folded, NFC, accents and punctuation folded.

``Vries``, ``VRIES`` and ``vries`` are one name; so are ``Zoë`` and ``Zoe``, and ``de Vries``
whether the school writes the prefix in its own column or in the surname. The stored name key
(``customers.name_key``) is ``fold(prefix + surname)``, written by every path that writes a
name, so the personal-data lookup is one indexed join.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache

import numpy as np
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
    return _per_distinct(values.fillna("").astype("str"), fold)


def name_keys(prefix: pd.Series, surname: pd.Series) -> pd.Series:
    """``name_key`` over two text columns."""
    text = prefix.fillna("").astype("str") + surname.fillna("").astype("str")
    return _per_distinct(text, lambda t: fold(t)[:NAME_KEY_LENGTH])


def _per_distinct(text: pd.Series, work: Callable[[str], str]) -> pd.Series:
    """``work`` once per distinct value of ``text`` (100k pupils share a few thousand names;
    pandas' ``map`` steps through every value of a pyarrow column in Python)."""
    codes, distinct = pd.factorize(text)
    done = np.array([work(str(v)) for v in distinct], dtype=object)
    return pd.Series(done[codes], index=text.index, dtype="str", name=text.name)
