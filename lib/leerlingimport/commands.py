"""The command handlers behind ``cli.py``: each does one job and prints for people."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from leerlingimport.errors import ConfigError, InputFileError, NotFound
from leerlingimport.params import load_params
from leerlingimport.settings import Settings

if TYPE_CHECKING:  # SQLAlchemy takes half a second to import; `check` does without it
    from sqlalchemy import Engine


@contextmanager
def open_database(settings: Settings, *, migrated: bool = True) -> Iterator[Engine]:
    """The engine of the database (checked to be at the newest schema), disposed afterwards."""
    from leerlingimport.db import current_revision, make_engine
    from leerlingimport.db.migrate import head_revision

    engine = make_engine(settings.database_url)
    try:
        if migrated and current_revision(engine) != head_revision():
            raise ConfigError(
                "De database is nog niet (bij)gewerkt. Voer eerst 'leerlingimport init' uit."
            )
        yield engine
    finally:
        engine.dispose()


def init(args: argparse.Namespace, settings: Settings) -> int:
    """Create or upgrade the database and register the params' branches and schools."""
    from leerlingimport.db import upgrade, writing
    from leerlingimport.library import register_params

    params = load_params(settings.params_dir)
    with open_database(settings, migrated=False) as engine:
        revision = upgrade(engine)
        with writing(engine) as conn:
            register_params(conn, params)
    print(
        f"Database klaar (schema {revision}): {_safe_url(settings.database_url)}; "
        f"{len(params.schools)} scholen uit {settings.params_dir}."
    )
    return 0


def check(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest and validate a file without writing anything; exit 1 when it is rejected."""
    import json

    from leerlingimport.checking import check_file, render_check

    school = load_params(settings.params_dir).school(args.school)
    path = Path(args.file)
    result = check_file(_read(path), path.name, school, language=args.language)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        print(render_check(result, path.name, args.language))
    return 1 if result.rejected else 0


def import_file(args: argparse.Namespace, settings: Settings) -> int:
    """Import a school's file through the workbook's notebooks (archived unless a dry run);
    exit 1 when it is rejected, held or failed."""
    import json

    from leerlingimport.reporting import render_import
    from leerlingimport.workbook import Workbook, run_workbook

    params = load_params(settings.params_dir)
    school = params.school(args.school)
    path = Path(args.file)
    _read(path)  # a missing or unreadable file is said before a run starts
    with open_database(settings) as engine:
        book = Workbook(engine, params, settings.data_dir, params_dir=settings.params_dir)
        result = run_workbook(
            book,
            path,
            school.brin,
            dry_run=args.dry_run,
            confirm_deregistration=args.confirm_deregistration,
            language=args.language,
        )
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        print(render_import(result, args.language))
    return result.exit_status


def runs(args: argparse.Namespace, settings: Settings) -> int:
    """List import runs, newest first."""
    import json

    from leerlingimport.reporting import list_runs, render_runs

    timezone = load_params(settings.params_dir).library.timezone
    if args.release:
        return _release(settings, args.release)
    with open_database(settings) as engine:
        table = list_runs(engine, args.school)
    text = json.dumps(table, ensure_ascii=False, indent=2) if args.json else None
    print(text or render_runs(table, timezone))
    return 0


def _release(settings: Settings, run_id: str) -> int:
    from leerlingimport.runs import operator_name, release_run

    by = operator_name()
    with open_database(settings) as engine:
        done = release_run(engine, run_id, f"vrijgegeven door {by} met 'runs --release'")
    if not done:
        raise NotFound(
            f"Import {run_id} bestaat niet of loopt niet (meer); er is niets vrijgegeven. "
            "'leerlingimport runs' toont de imports."
        )
    print(f"Import {run_id} is vrijgegeven; de school kan weer worden geïmporteerd.")
    return 0


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputFileError(f"Het bestand {path} is niet te lezen: {os_reason(err)}.") from None


def os_reason(err: OSError) -> str:
    """Why a file could not be used, in Dutch."""
    import errno

    reasons = {
        errno.ENOENT: "het bestaat niet",
        errno.EISDIR: "het is een map, geen bestand",
        errno.EACCES: "geen toegang",
        errno.EPERM: "geen toegang",
        errno.ENOSPC: "de schijf is vol",
        errno.EROFS: "alleen-lezen schijf",
        errno.ENOTDIR: "een deel van het pad is geen map",
    }
    return reasons.get(err.errno or 0, "besturingssysteemfout")


def generate(args: argparse.Namespace, settings: Settings) -> int:
    """Write the synthetic sample exports."""
    from leerlingimport.synthetic import write_samples

    written = write_samples(Path(args.out), seed=args.seed, pupils=args.pupils)
    for path in written:
        print(path)
    return 0


def demo(args: argparse.Namespace, settings: Settings) -> int:
    """Run the yearly import of the demo library on a fresh demo database."""
    from leerlingimport.demo import run_demo

    params = load_params(settings.params_dir)
    status: int = run_demo(settings.data_dir, params, print, params_dir=settings.params_dir)
    return status


def customer_add(args: argparse.Namespace, settings: Settings) -> int:
    from leerlingimport.customers import NewCustomer, add_customer
    from leerlingimport.db import writing

    params = load_params(settings.params_dir)
    fields = NewCustomer.__dataclass_fields__
    new = NewCustomer(**{k: v for k, v in vars(args).items() if k in fields and v is not None})
    with open_database(settings) as engine, writing(engine) as conn:
        done = add_customer(conn, new, params.library.card_prefix, _now(), _otp_valid(settings))
    print(f"Klant aangemaakt. Pasnummer: {done.card_number}")
    print(f"Eenmalig wachtwoord: {done.one_time_password}")
    until = _local(done.otp_expires_at, params.library.timezone)
    print(f"Geldig tot {until:%d-%m-%Y %H:%M}. Bij de eerste keer inloggen kiest de klant een")
    print("eigen wachtwoord. Dit wachtwoord wordt niet bewaard en niet meer getoond.")
    return 0


def customer_grant_upload(args: argparse.Namespace, settings: Settings) -> int:
    from leerlingimport.customers import grant_upload
    from leerlingimport.db import writing

    with open_database(settings) as engine, writing(engine) as conn:
        new = grant_upload(conn, args.card, args.branch, _now())
    state = "mag nu" if new else "mocht al"
    print(f"Pasnummer {args.card} {state} leerlinggegevens uploaden voor vestiging {args.branch}.")
    return 0


def customer_grant_staff(args: argparse.Namespace, settings: Settings) -> int:
    from leerlingimport.customers import grant_staff
    from leerlingimport.db import writing

    with open_database(settings) as engine, writing(engine) as conn:
        grant_staff(conn, args.card, args.permission)
    print(f"Pasnummer {args.card} heeft het recht {args.permission}.")
    return 0


def customer_reset_password(args: argparse.Namespace, settings: Settings) -> int:
    from leerlingimport.customers import reset_password
    from leerlingimport.db import writing

    timezone = load_params(settings.params_dir).library.timezone
    now = _now()
    with open_database(settings) as engine, writing(engine) as conn:
        otp = reset_password(conn, args.card, now, _otp_valid(settings))
    until = _local(now + _otp_valid(settings), timezone)
    print(f"Nieuw eenmalig wachtwoord voor pasnummer {args.card}: {otp}")
    print(f"Geldig tot {until:%d-%m-%Y %H:%M}; het oude wachtwoord werkt niet meer.")
    return 0


def _local(moment: dt.datetime, timezone: str) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(timezone))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _otp_valid(settings: Settings) -> dt.timedelta:
    return dt.timedelta(hours=settings.otp_valid_hours)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def report(args: argparse.Namespace, settings: Settings) -> int:
    """The report of one run, as text or JSON; exit 1 when it needs a person."""
    import json

    from leerlingimport.reports import render_report, run_report

    with open_database(settings) as engine:
        shown = run_report(
            engine,
            args.run_id,
            settings.data_dir,
            show_personal_data=args.show_personal_data,
            language=args.language,
        )
    if args.json:
        print(json.dumps(shown.as_json(), ensure_ascii=False, indent=2, default=str))
    else:
        print(render_report(shown), end="")
    return 0


def customer_find(args: argparse.Namespace, settings: Settings) -> int:
    """Customers that fit the criteria, as a table (or JSON); exit 1 when none does."""

    from leerlingimport.db import reading
    from leerlingimport.settling import FOUND_LIMIT, find_customers

    with open_database(settings) as engine, reading(engine) as conn:
        found = find_customers(
            conn, card=args.card, name=args.name, birth_date=args.birth_date, email=args.email
        )
    if args.json:
        print(found.to_json(orient="records", date_format="iso", force_ascii=False, indent=2))
    elif found.empty:
        print("Geen klant gevonden.")
    else:
        print(found.fillna("").to_string(index=False))
        if len(found) == FOUND_LIMIT:
            print(f"(de eerste {FOUND_LIMIT}; zoek preciezer)")
    return 0 if len(found) else 1


def customer_link(args: argparse.Namespace, settings: Settings) -> int:
    from leerlingimport.db import writing
    from leerlingimport.settling import link_row

    with open_database(settings) as engine, writing(engine) as conn:
        done = link_row(conn, args.run_id, args.row, args.card, settings.data_dir, _now())
    state = "is nu gekoppeld" if done.new else "was al gekoppeld"
    print(
        f"Rij {args.row} {state} aan pasnummer {args.card} (leerlingnummer "
        f"{done.student_number} op school {done.brin}). De volgende import van de school "
        "schrijft de leerling in."
    )
    return 0


def customer_add_subscription(args: argparse.Namespace, settings: Settings) -> int:
    from leerlingimport.db import writing
    from leerlingimport.settling import add_library_subscription

    today = _local(_now(), load_params(settings.params_dir).library.timezone).date()
    with open_database(settings) as engine, writing(engine) as conn:
        new = add_library_subscription(conn, args.card, today)
    state = "is nu" if new else "was al"
    print(f"Pasnummer {args.card} {state} lid van de bibliotheek.")
    return 0


def customer_revoke_upload(args: argparse.Namespace, settings: Settings) -> int:
    from leerlingimport.db import writing
    from leerlingimport.settling import revoke_upload

    with open_database(settings) as engine, writing(engine) as conn:
        done = revoke_upload(conn, args.card, args.branch)
    state = "mag niet meer" if done else "mocht al niet"
    print(f"Pasnummer {args.card} {state} leerlinggegevens uploaden voor vestiging {args.branch}.")
    return 0


def portal(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the upload portal with waitress until stopped."""
    from leerlingimport.portal.server import serve

    with open_database(settings):  # refuse to start on a database that is not migrated
        pass
    print(f"Portaal op http://{args.host}:{args.port}/ (stoppen: Ctrl+C)", flush=True)
    serve(settings, args.host, args.port)
    return 0
