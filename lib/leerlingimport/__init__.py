"""leerlingimport."""
