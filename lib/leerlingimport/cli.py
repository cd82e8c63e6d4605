"""The command line (DESIGN §7.1); heavy modules load inside the handlers, so --help is fast."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leerlingimport.settings import Settings

Handler = Callable[[argparse.Namespace, "Settings"], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 done, 1 rejected or held, 2 usage)."""
    args = _parser().parse_args(argv)
    from leerlingimport.errors import LeerlingimportError
    from leerlingimport.settings import Settings

    settings = Settings.from_env().with_overrides(args.database_url, args.params_dir, args.data_dir)
    handler: Handler = args.handler
    try:
        return handler(args, settings)
    except LeerlingimportError as err:
        print(f"leerlingimport: {err.user_message}", file=sys.stderr)
        return err.exit_status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leerlingimport",
        description="De jaarlijkse leerlingimport van de bibliotheek op school.",
    )
    parser.add_argument(
        "--database-url", help="default: $LEERLINGIMPORT_DATABASE_URL or SQLite in var/"
    )
    parser.add_argument("--params-dir", help="default: $LEERLINGIMPORT_PARAMS_DIR or params/")
    parser.add_argument("--data-dir", help="default: $LEERLINGIMPORT_DATA_DIR or var/")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    cmd = sub.add_parser("init", help="create or upgrade the database and load params")
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "init"))

    cmd = sub.add_parser("demo", help="seed a demo library and run imports on the samples")
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "demo"))

    cmd = sub.add_parser("generate", help="write synthetic school exports (never real pupils)")
    cmd.add_argument("--out", required=True, help="folder to write the files to")
    cmd.add_argument("--seed", type=int, default=2026)
    cmd.add_argument("--pupils", type=int, default=60, help="pupils per school")
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "generate"))

    cmd = sub.add_parser("check", help="read and validate a school's file; writes nothing")
    cmd.add_argument("file")
    cmd.add_argument("--school", required=True, help="the school's BRIN, e.g. 99ZZ")
    cmd.add_argument("--json", action="store_true", help="print one JSON object")
    cmd.add_argument("--language", choices=["nl", "en"], default="nl")
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "check"))

    cmd = sub.add_parser("import", help="import a school's file: enroll, update, deregister")
    cmd.add_argument("file")
    cmd.add_argument("--school", required=True, help="the school's BRIN, e.g. 99ZZ")
    cmd.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
    cmd.add_argument(
        "--confirm-deregistration",
        action="store_true",
        help="deregister even when more pupils leave than the school's hold threshold",
    )
    cmd.add_argument("--json", action="store_true", help="print one JSON object")
    cmd.add_argument("--language", choices=["nl", "en"], default="nl")
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "import_file"))

    cmd = sub.add_parser("runs", help="list import runs")
    cmd.add_argument("--school", help="only this school (BRIN)")
    cmd.add_argument("--json", action="store_true", help="print one JSON array")
    cmd.set_defaults(handler=_lazy("leerlingimport.commands", "runs"))

    _customer_commands(sub.add_parser("customer", help="register teachers and staff"))
    return parser


def _customer_commands(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(required=True, metavar="ACTION")
    add = sub.add_parser(
        "add", help="register a teacher or staff member; prints a one-time password"
    )
    add.add_argument("--surname", required=True)
    add.add_argument("--first-name")
    add.add_argument("--initials")
    add.add_argument("--prefix", help="tussenvoegsel, e.g. 'van der'")
    add.add_argument("--role", choices=["teacher", "staff", "adult"], default="teacher")
    add.add_argument("--sex", choices=["M", "V", "X"])
    add.add_argument("--birth-date", type=_date, help="dd-mm-jjjj (for a child member)")
    add.add_argument("--email")
    add.add_argument("--username")
    add.add_argument("--school", help="BRIN of the teacher's school")
    add.add_argument("--group", dest="group_code", help="the teacher's group code")
    add.add_argument("--street")
    add.add_argument("--house-number")
    add.add_argument("--postcode")
    add.add_argument("--city")
    add.add_argument("--card", default="V", help="'V' generates a number; or a scanned card number")
    add.add_argument(
        "--no-library-membership",
        dest="library_member",
        action="store_false",
        help="do not add a public library subscription (then they cannot log in on the website)",
    )
    add.set_defaults(handler=_lazy("leerlingimport.commands", "customer_add"))

    grant = sub.add_parser(
        "grant-upload", help="allow a customer to upload pupil files for a branch"
    )
    grant.add_argument("card")
    grant.add_argument("--branch", required=True, help="branch number, 4 digits")
    grant.set_defaults(handler=_lazy("leerlingimport.commands", "customer_grant_upload"))

    staff = sub.add_parser("grant-staff", help="give a library staff member a permission")
    staff.add_argument("card")
    staff.add_argument(
        "--permission", required=True, choices=["manage_student_files", "run_imports"]
    )
    staff.set_defaults(handler=_lazy("leerlingimport.commands", "customer_grant_staff"))

    reset = sub.add_parser("reset-password", help="give a customer a new one-time password")
    reset.add_argument("card")
    reset.set_defaults(handler=_lazy("leerlingimport.commands", "customer_reset_password"))


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
