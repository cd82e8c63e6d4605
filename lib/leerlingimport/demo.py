"""``leerlingimport demo``: a demo library on the embedded SQLite default and the samples."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Engine, func, select

from leerlingimport.customers import NewCustomer, add_customer, grant_upload
from leerlingimport.db import make_engine, reading, writing
from leerlingimport.db.tables import Customer, School
from leerlingimport.params import Params
from leerlingimport.settings import Settings

DEMO_TEACHER = "demo.docent"


def run_demo(settings: Settings, params: Params, echo: Callable[[str], None]) -> int:
    """Seed the demo teacher (once) and show what the demo library holds."""
    engine = make_engine(settings.database_url)
    try:
        return _seed_and_show(engine, params, echo)
    finally:
        engine.dispose()


def _seed_and_show(engine: Engine, params: Params, echo: Callable[[str], None]) -> int:
    now = dt.datetime.now(dt.UTC)
    with writing(engine) as conn:
        exists = conn.scalar(select(Customer.id).where(Customer.username == DEMO_TEACHER))
        if exists is None:
            first = next(iter(params.schools.values()))
            teacher = NewCustomer(
                surname="Docent", first_name="Demo", username=DEMO_TEACHER, school=first.brin
            )
            done = add_customer(
                conn, teacher, params.library.card_prefix, now, dt.timedelta(days=3)
            )
            grant_upload(conn, done.card_number, first.branch, now)
            echo(
                f"Demo-docent aangemaakt: pas {done.card_number}, eenmalig wachtwoord "
                f"{done.one_time_password} (mag uploaden voor vestiging {first.branch})."
            )
    with reading(engine) as conn:
        schools = conn.execute(select(School.brin, School.name).order_by(School.brin)).all()
        customers = conn.scalar(select(func.count()).select_from(Customer))
    echo(f"{params.library.name}: {len(schools)} scholen, {customers} klanten.")
    for brin, name in schools:
        echo(f"  {brin}  {name}")
    return 0
