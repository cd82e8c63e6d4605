"""Creating or upgrading the database schema with Alembic (``leerlingimport init``)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that runs the package's migrations on ``engine``."""
    config = _config()
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> str:
    """Bring the schema to the newest revision; safe to run again. Returns that revision."""
    config = alembic_config(engine)
    command.upgrade(config, "head")
    return head_revision()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest revision the package's migrations know."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("leerlingimport") / "migrations"))
    return config
