"""mail.py: SMTP settings from the environment, and a message through a real SMTP server."""

from __future__ import annotations

import email
import email.policy

import pytest

from leerlingimport.errors import ConfigError
from leerlingimport.mail import Mailer, mailer_from_env

from .conftest import Inbox


def test_no_host_means_no_mail_and_defaults_follow_the_tls_mode() -> None:
    assert mailer_from_env({}) is None
    env = {"LEERLINGIMPORT_SMTP_HOST": "smtp.example.org", "LEERLINGIMPORT_SMTP_SENDER": "a@b.nl"}
    assert mailer_from_env(env) == Mailer("smtp.example.org", 587, "a@b.nl", "starttls")
    ssl = mailer_from_env({**env, "LEERLINGIMPORT_SMTP_TLS": "SSL"})
    assert ssl is not None and (ssl.port, ssl.tls) == (465, "ssl")


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("LEERLINGIMPORT_SMTP_TLS", "tls1.0", "kies starttls, ssl of none"),
        ("LEERLINGIMPORT_SMTP_PORT", "poort", "geef een poortnummer"),
        ("LEERLINGIMPORT_SMTP_SENDER", "bibliotheek", "afzenderadres"),
    ],
)
def test_wrong_settings_are_named(key: str, value: str, said: str) -> None:
    env = {"LEERLINGIMPORT_SMTP_HOST": "smtp.example.org", "LEERLINGIMPORT_SMTP_SENDER": "a@b.nl"}
    with pytest.raises(ConfigError, match=said):
        mailer_from_env({**env, key: value})


def test_a_message_arrives_at_a_real_smtp_server(smtp: tuple[int, Inbox]) -> None:
    port, inbox = smtp
    inbox.messages.clear()
    Mailer("127.0.0.1", port, "portaal@bibliotheek.example.org", "none").send(
        "leerlingbestanden@bibliotheek.example.org", "Onderwerp met ë", "Regel één.\n"
    )
    [message] = inbox.messages
    assert message.mail_from == "portaal@bibliotheek.example.org"
    assert message.rcpt_tos == ["leerlingbestanden@bibliotheek.example.org"]
    parsed = email.message_from_bytes(message.content, policy=email.policy.default)
    assert parsed["Subject"] == "Onderwerp met ë"
    assert parsed.get_content().strip() == "Regel één."
