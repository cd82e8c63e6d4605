"""Deployment settings from the environment; read only at the entry points (CLI, flows, portal)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from leerlingimport.errors import ConfigError

ENV_PREFIX = "LEERLINGIMPORT_"


@dataclass(frozen=True)
class Settings:
    """Where the database, the params and the runtime data live.

    ``data_dir`` holds the SQLite database by default, the upload inbox, run artifacts and the
    audit archive.
    """

    database_url: str = "sqlite:///var/leerlingimport.db"
    params_dir: Path = Path("params")
    data_dir: Path = Path("var")
    otp_valid_hours: int = 72

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``LEERLINGIMPORT_*`` variables; unset ones keep their defaults."""
        env = os.environ if environ is None else environ
        base = cls()
        data_dir = Path(env.get(f"{ENV_PREFIX}DATA_DIR", str(base.data_dir)))
        default_url = f"sqlite:///{data_dir / 'leerlingimport.db'}"
        hours = env.get(f"{ENV_PREFIX}OTP_VALID_HOURS", str(base.otp_valid_hours)).strip()
        if not hours.isdigit() or not 1 <= int(hours) <= 24 * 60:
            raise ConfigError(
                f"{ENV_PREFIX}OTP_VALID_HOURS is '{hours[:20]}'; geef een aantal uren van 1 tot "
                "en met 1440, bijv. 72."
            )
        return cls(
            database_url=env.get(f"{ENV_PREFIX}DATABASE_URL", default_url),
            params_dir=Path(env.get(f"{ENV_PREFIX}PARAMS_DIR", str(base.params_dir))),
            data_dir=data_dir,
            otp_valid_hours=int(hours),
        )

    def with_overrides(
        self,
        database_url: str | None = None,
        params_dir: str | Path | None = None,
        data_dir: str | Path | None = None,
    ) -> Settings:
        """Apply command-line options over the environment's values."""
        new = self
        if data_dir is not None:
            new = replace(new, data_dir=Path(data_dir))
            if database_url is None and self.database_url == self._default_url(self.data_dir):
                new = replace(new, database_url=self._default_url(Path(data_dir)))
        if database_url is not None:
            new = replace(new, database_url=database_url)
        if params_dir is not None:
            new = replace(new, params_dir=Path(params_dir))
        return new

    @staticmethod
    def _default_url(data_dir: Path) -> str:
        return f"sqlite:///{data_dir / 'leerlingimport.db'}"
