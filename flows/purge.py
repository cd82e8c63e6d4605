"""Retention: raw uploads, run directories with their password lists, old archives."""

from __future__ import annotations

from prefect import flow

from leerlingimport.workbook.tasks import purge, run_name, workbook


@flow(name="purge", flow_run_name=run_name)
def purge_expired(dry_run: bool = False) -> list[str]:
    """Delete (or, in a dry run, list) what is older than its retention."""
    with workbook() as book:
        return purge(book, dry_run)
