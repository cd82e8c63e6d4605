"""Regular expressions over whole text columns, run by pyarrow compute (RE2, in C).

pandas' ``str.extract`` runs Python's ``re`` once per value; for 100,000 pupils that is most of
the time validation takes. Patterns here must be RE2: no look-around, no back-references.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def arrow(values: pd.Series) -> pa.Array:
    """A text column as one pyarrow array (a column read by pyarrow may come in chunks)."""
    array = pa.array(values, pa.large_string())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def extract(values: pd.Series, pattern: str) -> pd.DataFrame:
    """One text column per named group of ``pattern``; missing (NaN) where it does not match."""
    result = pc.extract_regex(arrow(values), pattern)
    return pd.DataFrame(
        {
            field.name: pd.Series(column, index=values.index, dtype="str")
            for field, column in zip(result.type, result.flatten(), strict=True)
        }
    )


def matches(values: pd.Series, pattern: str) -> pd.Series:
    """Whether each value contains a match of ``pattern`` (anchor it for a full match)."""
    found = pc.match_substring_regex(arrow(values), pattern)
    return pd.Series(found, index=values.index, dtype="bool")


def any_match(values: pd.Series, pattern: str) -> bool:
    """Whether some value contains a match of ``pattern``, in one RE2 pass over the column's
    text run together rather than one pass per value (a hundred times faster on short
    values). For a pattern without anchors or word boundaries no match is ever missed; one
    that spans two values may be reported, so use this only to skip a per-value pass."""
    return bool(pc.any(pc.match_substring_regex(joined(arrow(values)), pattern)).as_py())


def joined(array: pa.Array) -> pa.Array:
    """The values of a text array run together, as an array of one value: without a copy
    (its bytes are already one after the other) unless a value is missing."""
    if array.null_count:
        whole = pa.ListArray.from_arrays(pa.array([0, len(array)], pa.int32()), array)
        return pc.binary_join(whole, pa.scalar("", array.type))
    offsets, data = array.buffers()[1:3]
    if offsets is None or not len(array):
        return pa.array([""], pa.large_string())
    width = 8 if pa.types.is_large_string(array.type) else 4
    bounds = np.frombuffer(offsets, np.int64 if width == 8 else np.int32)
    start, end = int(bounds[array.offset]), int(bounds[array.offset + len(array)])
    text = data[start:end] if data is not None else pa.py_buffer(b"")
    one = pa.py_buffer(np.array([0, end - start], np.int64))
    return pa.Array.from_buffers(pa.large_string(), 1, [None, one, text])


def prefixes(array: pa.Array, lengths: npt.NDArray[np.int64]) -> pa.Array:
    """The first ``lengths[i]`` bytes of each value of a text array without missing values
    (cut at a character's boundary: the caller's business), as one copy of those bytes."""
    array = array.cast(pa.large_string())
    offsets, data = array.buffers()[1:3]
    kept = np.zeros(len(array) + 1, np.int64)
    np.cumsum(lengths, out=kept[1:])
    if offsets is None or data is None or not kept[-1]:
        return pa.array([""] * len(array), pa.large_string())
    starts = np.frombuffer(offsets, np.int64)[array.offset : array.offset + len(array)]
    where = np.repeat(starts - kept[:-1], lengths) + np.arange(kept[-1])
    cut = np.frombuffer(data, np.uint8)[where]
    return pa.Array.from_buffers(
        pa.large_string(), len(array), [None, pa.py_buffer(kept), pa.py_buffer(cut)]
    )
