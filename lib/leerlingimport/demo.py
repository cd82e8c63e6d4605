"""``leerlingimport demo``: the yearly import of a demo library, on a fresh SQLite database.

It never touches the configured database: it works in ``<data dir>/demo.db``, made anew each
time. The four demo schools are imported from ``data/samples/`` for one school year, a few
pupils borrow books, and then next school year's files come in.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, insert, select

from leerlingimport.customers import NewCustomer, add_customer, grant_upload
from leerlingimport.db import make_engine, upgrade, writing
from leerlingimport.db.tables import Card, Enrollment, Loan, School
from leerlingimport.issues import SEVERITY_LABELS, plural
from leerlingimport.library import register_params
from leerlingimport.params import Params
from leerlingimport.pipeline import ImportResult
from leerlingimport.reporting import STATUS_NL, count_labels
from leerlingimport.workbook import Workbook, run_workbook, verify_archive
from leerlingimport.workbook.archive import make_writable

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
PARAMS = Path(__file__).resolve().parents[2] / "params"
FILES = {
    "99ZZ": "99ZZ_parnassys_{}.csv",
    "99YY": "99YY_handmade_{}.ods",
    "99XX": "99XX_magister_{}.xlsx",
    "99WW": "99WW_somtoday_{}.csv",
}
YEARS = ("2026-2027", "2027-2028")

Echo = Callable[[str], None]


def run_demo(
    data_dir: Path, params: Params, echo: Echo, samples: Path = SAMPLES, params_dir: Path = PARAMS
) -> int:
    """Run the demo through the workbook (the notebooks, the archive); returns 0 when every
    import ran (held or rejected rows are part of it) and the archive verifies. Everything
    goes into ``data_dir/demo/`` and ``data_dir/demo.db``, never the real runs."""
    path = data_dir / "demo.db"
    path.unlink(missing_ok=True)
    data_dir = data_dir / "demo"
    if data_dir.exists():  # the previous demo's runs and archive (written read-only)
        make_writable(data_dir)
        shutil.rmtree(data_dir)
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        with writing(engine) as conn:
            register_params(conn, params)
        _teacher(engine, params, echo)
        book = Workbook(engine, params, data_dir, params_dir)
        for year in YEARS:
            echo(f"\n== Schooljaar {year}")
            for brin, pattern in FILES.items():
                file = samples / pattern.format(year)
                result = run_workbook(book, file, brin, now=_first_of_september(year))
                _show(result, file.name, echo)
                if result.status == "failed":
                    return 1
            if year == YEARS[0]:
                _lend_books(engine, echo)
        _incomplete_file(book, samples, echo)
        problems = verify_archive(data_dir / "archive", engine)
    finally:
        engine.dispose()
    echo(f"\nHet auditarchief staat in {data_dir / 'archive'}: elke import met zijn notebooks.")
    echo("  " + (f"NIET ongeschonden: {problems}" if problems else "audit verify: ongeschonden."))
    echo(f"De demodatabase staat in {path}. Bekijk de runs met:")
    echo(f"  .venv/bin/leerlingimport --database-url sqlite:///{path} runs")
    return 1 if problems else 0


def _incomplete_file(book: Workbook, samples: Path, echo: Echo) -> None:
    """A school that sends only its first twenty pupils: the hold guard stops the leavers."""
    lines = (samples / FILES["99WW"].format(YEARS[1])).read_bytes().split(b"\r\n")
    partial = b"\r\n".join(lines[:21]) + b"\r\n"
    echo("\n== Later in het jaar stuurt 99WW per ongeluk een half bestand")
    data_dir = book.data_dir
    half = data_dir / "half.csv"
    half.write_bytes(partial)
    later = _first_of_september(YEARS[1]) + dt.timedelta(days=60)
    result = run_workbook(book, half, "99WW", now=later)
    _show(result, half.name, echo)
    echo("    Na controle, als het klopt (de demo-database):")
    echo(
        f"    .venv/bin/leerlingimport --database-url sqlite:///{data_dir.parent / 'demo.db'} "
        f"--data-dir {data_dir} import {half} --school 99WW --confirm-deregistration"
    )


def _first_of_september(year: str) -> dt.datetime:
    """The demo imports each school year's files on 1 September of that year."""
    return dt.datetime(int(year[:4]), 9, 1, 8, 0, tzinfo=dt.UTC)


def _teacher(engine: Engine, params: Params, echo: Echo) -> None:
    school = params.school("99ZZ")
    now = dt.datetime.now(dt.UTC)
    with writing(engine) as conn:
        done = add_customer(
            conn,
            NewCustomer(surname="Docent", first_name="Demo", school=school.brin, group_code="G8A"),
            params.library.card_prefix,
            now,
            dt.timedelta(days=3),
        )
        grant_upload(conn, done.card_number, school.branch, now)
    echo(
        f"Demo-docent van {school.name}: pas {done.card_number}, eenmalig wachtwoord "
        f"{done.one_time_password}; mag uploaden voor vestiging {school.branch}."
    )


def _lend_books(engine: Engine, echo: Echo) -> None:
    """Three pupils in their last year of 99ZZ borrow a book before the summer."""
    with writing(engine) as conn:
        leaving = conn.execute(
            select(Enrollment.customer_id, Card.id)
            .join(School, School.id == Enrollment.school_id)
            .join(Card, Card.customer_id == Enrollment.customer_id)
            .where(School.brin == "99ZZ", Enrollment.year_group == 8, Card.status == "active")
            .limit(3)
        ).all()
        for customer, card in leaving:
            conn.execute(
                insert(Loan).values(
                    customer_id=customer,
                    card_id=card,
                    item="De Gruffalo",
                    due_on=dt.date(2027, 7, 15),
                )
            )
    echo(f"  ({len(leaving)} leerlingen uit groep 8 van 99ZZ lenen nog een boek voor de zomer.)")


def _show(result: ImportResult, name: str, echo: Echo) -> None:
    c = result.counts
    labels = count_labels(result.status)
    shown = ", ".join(f"{labels[k].strip()} {c[k]}" for k in c if c[k] and k != "rows")
    rows = plural(c["rows"], "rij", "rijen")
    echo(f"{result.school} {name}: {STATUS_NL[result.status]} — {rows}: {shown}")
    attention = Counter(i.code for i in result.issues if i.severity != "info")
    for code, n in sorted(attention.items()):
        example = next(i for i in result.issues if i.code == code)
        times = f" ({n} keer, bijvoorbeeld)" if n > 1 else ""
        echo(f"    {SEVERITY_LABELS['nl'][example.severity]}{times}: {example.message}")
