"""The Prefect flows of the workbook (DESIGN §6): tables of contents over leerlingimport."""
