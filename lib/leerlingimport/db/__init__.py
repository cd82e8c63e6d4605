"""The database: tables, engines and transactions, migrations."""

from leerlingimport.db.engine import make_engine, reading, writing
from leerlingimport.db.migrate import current_revision, upgrade

__all__ = ["current_revision", "make_engine", "reading", "upgrade", "writing"]
