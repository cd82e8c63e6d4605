from __future__ import annotations

from pathlib import Path

from leerlingimport.settings import Settings


def test_defaults_follow_design() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///var/leerlingimport.db"
    assert settings.params_dir == Path("params")
    assert settings.data_dir == Path("var")


def test_environment_is_read() -> None:
    settings = Settings.from_env(
        {
            "LEERLINGIMPORT_DATABASE_URL": "postgresql://db/x",
            "LEERLINGIMPORT_PARAMS_DIR": "/etc/li",
            "LEERLINGIMPORT_DATA_DIR": "/srv/li",
        }
    )
    assert settings.database_url == "postgresql://db/x"
    assert settings.params_dir == Path("/etc/li")
    assert settings.data_dir == Path("/srv/li")


def test_data_dir_moves_the_default_database_only() -> None:
    moved = Settings.from_env({"LEERLINGIMPORT_DATA_DIR": "/srv/li"})
    assert moved.database_url == "sqlite:////srv/li/leerlingimport.db"
    cli = Settings.from_env({}).with_overrides(data_dir="/tmp/x")
    assert cli.database_url == "sqlite:////tmp/x/leerlingimport.db"
    explicit = Settings.from_env({"LEERLINGIMPORT_DATABASE_URL": "postgresql://db/x"})
    assert explicit.with_overrides(data_dir="/tmp/x").database_url == "postgresql://db/x"
    assert explicit.with_overrides(database_url="sqlite://").database_url == "sqlite://"
