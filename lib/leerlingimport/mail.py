"""Mail to the library through SMTP; the settings come from the environment.

    LEERLINGIMPORT_SMTP_HOST      the SMTP server; unset means: send no mail
    LEERLINGIMPORT_SMTP_PORT      default 587 with starttls, 465 with ssl, else 25
    LEERLINGIMPORT_SMTP_TLS       starttls (default) | ssl | none
    LEERLINGIMPORT_SMTP_SENDER    the From address, e.g. portal@bibliotheek.example.org
    LEERLINGIMPORT_SMTP_USER      optional login, with LEERLINGIMPORT_SMTP_PASSWORD

The portal and the inbox flow use ``mailer_from_env()`` and ``Mailer.send``. A message never
holds a file or pupil data: callers send counts, names of files and who did what.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal

from leerlingimport.errors import ConfigError

PREFIX = "LEERLINGIMPORT_SMTP_"
Tls = Literal["starttls", "ssl", "none"]
_DEFAULT_PORT: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Mailer:
    """An SMTP server and the sender address the library's mail comes from."""

    host: str
    port: int
    sender: str
    tls: Tls = "starttls"
    user: str | None = None
    password: str | None = None

    def send(self, to: str, subject: str, body: str) -> None:
        """Send a plain-text message; raises ``smtplib.SMTPException`` or ``OSError`` on failure."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(body)
        with self._connect() as smtp:
            if self.user and self.password:
                smtp.login(self.user, self.password)
            smtp.send_message(message)

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "ssl":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_SECONDS, context=context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
        if self.tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp


def mailer_from_env(environ: Mapping[str, str] | None = None) -> Mailer | None:
    """The mailer the environment describes, or None when no SMTP host is set."""
    env = os.environ if environ is None else environ
    host = env.get(f"{PREFIX}HOST", "").strip()
    if not host:
        return None
    tls = env.get(f"{PREFIX}TLS", "starttls").strip().lower()
    if tls not in _DEFAULT_PORT:
        raise ConfigError(f"{PREFIX}TLS is '{tls[:20]}'; kies starttls, ssl of none.")
    port = env.get(f"{PREFIX}PORT", str(_DEFAULT_PORT[tls])).strip()
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{PREFIX}PORT is '{port[:20]}'; geef een poortnummer, bijv. 587.")
    sender = env.get(f"{PREFIX}SENDER", "").strip()
    if "@" not in sender:
        raise ConfigError(
            f"{PREFIX}SENDER ontbreekt of is geen e-mailadres; geef het afzenderadres van de "
            "bibliotheek, bijv. portaal@bibliotheek.example.org."
        )
    return Mailer(
        host=host,
        port=int(port),
        sender=sender,
        tls=tls,  # type: ignore[arg-type]
        user=env.get(f"{PREFIX}USER") or None,
        password=env.get(f"{PREFIX}PASSWORD") or None,
    )
