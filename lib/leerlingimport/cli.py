"""The command line (DESIGN §7.1); heavy modules load inside the handlers, so --help is fast."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leerlingimport.settings import Settings

Handler = Callable[[argparse.Namespace, "Settings"], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 done, 1 rejected or held, 2 usage).
    Whatever the input, settings or database, it prints a sentence, never a traceback."""
    args = _parser().parse_args(argv)
    # pydantic looks for plugins in the metadata of every installed package when it builds the
    # first model (about 45 ms of `check` with this project's 200 packages); it uses none
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from leerlingimport.errors import LeerlingimportError

    try:
        return _run(args)
    except LeerlingimportError as err:
        return _fail(err.user_message, err.exit_status)
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return _fail("afgebroken; een import die nog liep is teruggedraaid.", 130)
    except OSError as err:
        from leerlingimport.commands import os_reason

        where = f" ({err.filename})" if err.filename else ""
        return _fail(f"bestand of map niet te gebruiken{where}: {os_reason(err)}.", 2)
    except Exception as err:  # the boundary: never a traceback for a person
        from sqlalchemy.exc import DBAPIError

        from leerlingimport.db.engine import database_error

        if isinstance(err, DBAPIError):
            mapped = database_error(err)
            return _fail(mapped.user_message, mapped.exit_status)
        return _fail(f"interne fout ({type(err).__name__}); meld dit aan de beheerder.", 2)


def _run(args: argparse.Namespace) -> int:
    from leerlingimport.settings import Settings

    settings = Settings.from_env().with_overrides(args.database_url, args.params_dir, args.data_dir)
    handler: Handler = args.handler
    return handler(args, settings)


def _fail(message: str, status: int) -> int:
    print(f"leerlingimport: {message}", file=sys.stderr)
    return status


# argparse's own words (usage, errors), in Dutch: argparse looks them up through its module's
# ``_`` (gettext) each time it speaks, so that is where the translation goes.
_DUTCH = {
    "usage: ": "gebruik: ",
    "positional arguments": "argumenten",
    "options": "opties",
    "show this help message and exit": "toon deze hulp en stop",
    "the following arguments are required: %s": "deze argumenten ontbreken: %s",
    "unrecognized arguments: %s": "onbekende argumenten: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "ongeldige keuze: %(value)r (kies uit %(choices)s)"
    ),
    "expected one argument": "hier hoort een waarde bij",
    "invalid %(type)s value: %(value)r": "ongeldige waarde: %(value)r",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fout: %(message)s\n",
    "ambiguous option: %(option)s could match %(matches)s": (
        "optie %(option)s is niet eenduidig: %(matches)s"
    ),
    " (default: %(default)s)": " (standaard: %(default)s)",
}


def _dutch(text: str) -> str:
    return _DUTCH.get(text, text)


def _parser() -> argparse.ArgumentParser:
    argparse._ = _dutch  # type: ignore[attr-defined]
    parser = argparse.ArgumentParser(
        prog="leerlingimport",
        description="De jaarlijkse leerlingimport van de bibliotheek op school.",
    )
    parser.add_argument(
        "--database-url", help="standaard: $LEERLINGIMPORT_DATABASE_URL of SQLite in var/"
    )
    parser.add_argument("--params-dir", help="standaard: $LEERLINGIMPORT_PARAMS_DIR of params/")
    parser.add_argument("--data-dir", help="standaard: $LEERLINGIMPORT_DATA_DIR of var/")
    sub = parser.add_subparsers(required=True, metavar="OPDRACHT")

    cmd = sub.add_parser("init", help="maak of werk de database bij en lees params/ in")
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "init"))

    cmd = sub.add_parser("demo", help="een demobibliotheek met imports van de voorbeeldbestanden")
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "demo"))

    cmd = sub.add_parser(
        "generate", help="schrijf verzonnen schoolbestanden (nooit echte leerlingen)"
    )
    cmd.add_argument("--out", required=True, help="map voor de bestanden")
    cmd.add_argument("--seed", type=int, default=2026, help="startgetal van het toeval")
    cmd.add_argument("--pupils", type=_positive, default=60, help="leerlingen per school")
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "generate"))

    cmd = sub.add_parser(
        "check", help="lees en controleer een bestand van een school; schrijft niets"
    )
    cmd.add_argument("file", metavar="BESTAND")
    cmd.add_argument("--school", required=True, help="de BRIN van de school, bijv. 99ZZ")
    cmd.add_argument("--json", action="store_true", help="druk één JSON-object af")
    cmd.add_argument("--language", choices=["nl", "en"], default="nl")
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "check"))

    cmd = sub.add_parser(
        "import", help="importeer een bestand: inschrijven, bijwerken, uitschrijven"
    )
    cmd.add_argument("file", metavar="BESTAND")
    cmd.add_argument("--school", required=True, help="de BRIN van de school, bijv. 99ZZ")
    cmd.add_argument(
        "--dry-run", action="store_true", help="toon wat er zou gebeuren; schrijf niets (Controle)"
    )
    cmd.add_argument(
        "--confirm-deregistration",
        action="store_true",
        help="voer een aangehouden import toch uit (uitschrijven, overschrijven)",
    )
    cmd.add_argument("--json", action="store_true", help="druk één JSON-object af")
    cmd.add_argument("--language", choices=["nl", "en"], default="nl")
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "import_file"))

    cmd = sub.add_parser("runs", help="de imports, nieuwste eerst")
    cmd.add_argument("--school", help="alleen deze school (BRIN)")
    cmd.add_argument("--json", action="store_true", help="druk één JSON-lijst af")
    cmd.add_argument(
        "--release",
        metavar="RUN_ID",
        help="geef een run vrij die nog 'bezig' staat maar waarvan het proces is gestopt",
    )
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "runs"))

    _customer_commands(sub.add_parser("customer", help="leerkrachten en medewerkers registreren"))
    _workbook_commands(sub)

    cmd = sub.add_parser("report", help="het verslag van een import: aantallen, wie, wat te doen")
    cmd.add_argument("run_id", metavar="RUN_ID")
    cmd.add_argument("--json", action="store_true", help="druk één JSON-object af")
    cmd.add_argument(
        "--show-personal-data", action="store_true", help="toon namen (standaard: pseudoniemen)"
    )
    cmd.add_argument("--language", choices=["nl", "en"], default="nl")
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "report"))

    cmd = sub.add_parser("portal", help="de uploadwebsite voor scholen en medewerkers (waitress)")
    cmd.add_argument("--host", default="127.0.0.1", help="standaard 127.0.0.1 (achter de proxy)")
    cmd.add_argument("--port", type=_positive, default=8000, help="standaard 8000")
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "portal"))
    return parser


def _workbook_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    handlers = "leerlingimport.workbook.commands"
    audit = sub.add_parser("audit", help="controleer het auditarchief")
    actions = audit.add_subparsers(required=True, metavar="ACTIE")
    verify = actions.add_parser("verify", help="herbereken de sha256 van elk gearchiveerd bestand")
    verify.add_argument("path", metavar="PAD", nargs="?", help="standaard: het hele archief")
    verify.set_defaults(handler=_lazy(handlers, "audit_verify"))

    cmd = sub.add_parser("purge", help="verwijder wat ouder is dan de bewaartermijnen")
    cmd.add_argument("--dry-run", action="store_true", help="toon alleen wat weg zou gaan")
    cmd.set_defaults(handler=_lazy(handlers, "purge"))

    cmd = sub.add_parser("serve", help="draai de Prefect-deployments (inbox, jaarimport, purge)")
    cmd.set_defaults(handler=_lazy(handlers, "serve"))


def _customer_commands(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(required=True, metavar="ACTIE")
    add = sub.add_parser(
        "add", help="registreer een leerkracht of medewerker; toont een eenmalig wachtwoord"
    )
    add.add_argument("--surname", required=True)
    add.add_argument("--first-name")
    add.add_argument("--initials")
    add.add_argument("--prefix", help="tussenvoegsel, bijv. 'van der'")
    add.add_argument("--role", choices=["teacher", "staff", "adult"], default="teacher")
    add.add_argument("--sex", choices=["M", "V", "X"])
    add.add_argument("--birth-date", type=_date, help="dd-mm-jjjj (voor een jeugdlid)")
    add.add_argument("--email")
    add.add_argument("--username")
    add.add_argument("--school", help="BRIN van de school van de leerkracht")
    add.add_argument("--group", dest="group_code", help="de groepscode van de leerkracht")
    add.add_argument("--street")
    add.add_argument("--house-number")
    add.add_argument("--postcode")
    add.add_argument("--city")
    add.add_argument("--card", default="V", help="'V' maakt een pasnummer; of een gescande pas")
    add.add_argument(
        "--no-library-membership",
        dest="library_member",
        action="store_false",
        help="geen bibliotheeklidmaatschap (dan kan de klant niet inloggen op de website)",
    )
    add.set_defaults(handler=_lazy("leerlingimport.commands", "customer_add"))

    grant = sub.add_parser(
        "grant-upload", help="laat een klant leerlingbestanden uploaden voor een vestiging"
    )
    grant.add_argument("card", metavar="PASNUMMER")
    grant.add_argument("--branch", required=True, help="vestigingsnummer, 4 cijfers")
    grant.set_defaults(handler=_lazy("leerlingimport.commands", "customer_grant_upload"))

    staff = sub.add_parser("grant-staff", help="geef een bibliotheekmedewerker een recht")
    staff.add_argument("card", metavar="PASNUMMER")
    staff.add_argument(
        "--permission", required=True, choices=["manage_student_files", "run_imports"]
    )
    staff.set_defaults(handler=_lazy("leerlingimport.commands", "customer_grant_staff"))

    reset = sub.add_parser("reset-password", help="geef een klant een nieuw eenmalig wachtwoord")
    reset.add_argument("card", metavar="PASNUMMER")
    reset.set_defaults(handler=_lazy("leerlingimport.commands", "customer_reset_password"))
    _settling_commands(sub)


def _settling_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Settling by hand what an import left to a person."""
    find = sub.add_parser("find", help="zoek klanten op pasnummer, naam, geboortedatum, e-mail")
    find.add_argument("--card", help="een pasnummer (ook een oude of geblokkeerde pas)")
    find.add_argument("--name", help="(een deel van) de achternaam, met tussenvoegsel")
    find.add_argument("--birth-date", type=_date, help="dd-mm-jjjj")
    find.add_argument("--email")
    find.add_argument("--json", action="store_true", help="druk één JSON-lijst af")
    find.set_defaults(handler=_lazy("leerlingimport.commands", "customer_find"))

    link = sub.add_parser(
        "link",
        help="koppel een rij met meerdere mogelijke klanten aan de juiste klant; de volgende "
        "import herkent de leerling aan het leerlingnummer",
    )
    link.add_argument("run_id", metavar="RUN_ID", help="de import die de rij oversloeg")
    link.add_argument("--row", type=_positive, required=True, help="de rij in het bestand")
    link.add_argument("--card", required=True, help="het pasnummer van de juiste klant")
    link.set_defaults(handler=_lazy("leerlingimport.commands", "customer_link"))

    subscribe = sub.add_parser(
        "add-subscription", help="maak een klant ook lid van de bibliotheek (abonnement)"
    )
    subscribe.add_argument("card", metavar="PASNUMMER")
    subscribe.set_defaults(handler=_lazy("leerlingimport.commands", "customer_add_subscription"))

    revoke = sub.add_parser(
        "revoke-upload", help="neem het recht af om leerlingbestanden te uploaden"
    )
    revoke.add_argument("card", metavar="PASNUMMER")
    revoke.add_argument("--branch", required=True, help="vestigingsnummer, 4 cijfers")
    revoke.set_defaults(handler=_lazy("leerlingimport.commands", "customer_revoke_upload"))


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is geen aantal van 1 of meer")
    return int(text)


def _date(text: str) -> object:
    import datetime as dt

    try:
        return dt.datetime.strptime(text, "%d-%m-%Y").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is geen datum als dd-mm-jjjj") from None


def _lazy(module: str, name: str) -> Handler:
    def handler(args: argparse.Namespace, settings: Settings) -> int:
        import importlib

        func: Handler = getattr(importlib.import_module(module), name)
        return func(args, settings)

    return handler


if __name__ == "__main__":
    sys.exit(main())
