"""Whatever bytes arrive, ingest answers with a table or issues: it never crashes."""

from __future__ import annotations

import io
import warnings
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leerlingimport.intake import Ingested, ingest

from .fixtures import WISE_HEADER

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
delimiters = st.sampled_from([";", ",", "\t", "|"])


def _ok(read: Ingested) -> None:
    assert isinstance(read, Ingested)
    assert "source_row" in read.table.columns
    if read.rejected:
        assert len(read.table) == 0


@SETTINGS
@given(st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    _ok(ingest(data, "x"))


@SETTINGS
@given(st.binary(max_size=512))
def test_random_bytes_after_a_zip_magic(data: bytes) -> None:
    _ok(ingest(b"PK\x03\x04" + data, "x.zip"))


@SETTINGS
@given(
    header=st.lists(st.one_of(st.sampled_from(WISE_HEADER), cell), min_size=1, max_size=12),
    rows=st.lists(st.lists(cell, max_size=14), max_size=15),
    delimiter=delimiters,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    quote=st.booleans(),
)
def test_random_csv_shapes(
    header: list[str], rows: list[list[str]], delimiter: str, encoding: str, quote: bool
) -> None:
    def line(fields: list[str]) -> str:
        return delimiter.join(f'"{f}"' if quote else f for f in fields)

    text = "\r\n".join([line(header), *(line(r) for r in rows)])
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    read = ingest(data, "x.csv")
    _ok(read)
    if not read.rejected:
        assert list(read.table["source_row"]) == sorted(read.table["source_row"])


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.builds(
                str.__add__,
                st.text(min_size=1, max_size=12),
                st.sampled_from(["", ".csv", ".xlsx", ".ods", ".xml", ".txt", ".zip"]),
            ),
            st.binary(max_size=200),
        ),
        max_size=5,
    )
)
def test_random_zips(members: list[tuple[str, bytes]]) -> None:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as zf:
        warnings.simplefilter("ignore")  # duplicate names are part of what is generated
        for name, content in members:
            zf.writestr(name, content)
    read = ingest(out.getvalue(), "x.zip")
    _ok(read)
    if len({n for n, _ in members}) < len(members):
        assert read.rejected
