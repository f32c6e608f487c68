"""Which identities a one-time code can reach, and a mail server that is away."""

import logging
import socket

import pytest

from profiles.adapters.code_sender import NoChannel, SmtpSender, code_sender
from profiles.domain.identities import identity
from profiles.settings import ProfilesSettings
from rapport.clock import utcnow


def test_without_an_smtp_host_no_kind_is_reachable() -> None:
    sender = code_sender(ProfilesSettings())
    assert isinstance(sender, NoChannel)
    assert not sender.reaches("email")


def test_smtp_reaches_email_identities_only() -> None:
    sender = code_sender(ProfilesSettings(smtp_host="mail.example"))
    assert isinstance(sender, SmtpSender)
    assert [k for k in ("social", "crm", "email", "phone") if sender.reaches(k)] == ["email"]


async def test_a_mail_server_that_is_away_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = SmtpSender(ProfilesSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_timeout_s=5))
    to = identity("email", "jo@example.com", at=utcnow(), source="customer")
    with caplog.at_level(logging.ERROR):
        await sender.send(to, "a-code-nobody-sees-0123", utcnow())
    (record,) = [r for r in caplog.records if r.name == "profiles.adapters.code_sender"]
    assert record.getMessage() == "link code not sent"
    assert "jo@example.com" not in str(record.__dict__)
    assert "a-code-nobody-sees-0123" not in str(record.__dict__)
