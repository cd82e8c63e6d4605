"""The workbook's command-line handlers: ``audit verify``, ``purge`` and ``serve``."""

from __future__ import annotations

import argparse
from pathlib import Path

from leerlingimport.commands import open_database
from leerlingimport.params import load_params
from leerlingimport.settings import Settings

KINDS = {"upload": "upload", "run": "run-map", "archive": "archief"}


def audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Re-hash the archive (or one run's part of it); exit 1 when anything changed."""
    from leerlingimport.workbook.archive import verify_archive

    path = Path(args.path) if args.path else settings.data_dir / "archive"
    with open_database(settings) as engine:
        problems = verify_archive(path, engine)
    for problem in problems:
        print(problem)
    if problems:
        print(f"Het archief onder {path} is NIET ongeschonden: {len(problems)} probleem/problemen.")
        return 1
    print(f"Het archief onder {path} is ongeschonden.")
    return 0


def purge(args: argparse.Namespace, settings: Settings) -> int:
    """Apply the retention of params/library.yaml; ``--dry-run`` lists what would go."""
    from leerlingimport.workbook import retention

    params = load_params(settings.params_dir)
    with open_database(settings) as engine:
        found = retention.expired(engine, params, settings.data_dir)
        for item in found:
            print(f"{KINDS[item.kind]:<8} {item.since:%Y-%m-%d}  {item.path}")
        if args.dry_run:
            print(f"{len(found)} te verwijderen (proefdraai: er is niets verwijderd).")
            return 0
        retention.purge(engine, found)
    print(f"{len(found)} verwijderd volgens de bewaartermijnen van {settings.params_dir}.")
    return 0


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the Prefect deployments of flows/ from this process (Ctrl-C stops)."""
    from leerlingimport.workbook.deployments import serve_deployments

    serve_deployments(settings)
    return 0
