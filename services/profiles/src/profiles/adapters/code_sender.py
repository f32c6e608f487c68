"""How a link request's one-time code reaches the customer: through the identity being linked,
never back to whoever asked for it. Email identities get a mail (SMTP); no channel reaches the
other kinds yet (direct messages to social accounts come with the DM connectors), so a link
request for one is refused before anything is stored.
"""

import asyncio
import functools
import logging
import smtplib
from datetime import datetime
from email.message import EmailMessage

from profiles.domain.model import Identity, IdentityKind
from profiles.ports import CodeSender
from profiles.settings import ProfilesSettings
from rapport.failures import error_type
from rapport.smtp import send_mail

log = logging.getLogger(__name__)
SUBJECT = "Your confirmation code"


def code_sender(settings: ProfilesSettings) -> CodeSender:
    return SmtpSender(settings) if settings.smtp_host else NoChannel()


class NoChannel:
    """No channel configured: every link request is refused with 422."""

    def reaches(self, kind: IdentityKind) -> bool:
        return False

    async def send(self, to: Identity, code: str, expires_at: datetime) -> None:
        raise AssertionError("reaches() said no")


class SmtpSender:
    """Mails codes to email identities through an SMTP server (``RAPPORT_SMTP_*``), with
    stdlib ``smtplib`` in a thread."""

    def __init__(self, settings: ProfilesSettings) -> None:
        self._settings = settings

    def reaches(self, kind: IdentityKind) -> bool:
        return kind == "email"

    async def send(self, to: Identity, code: str, expires_at: datetime) -> None:
        try:
            mail = self._mail(to.value, code, expires_at)
            await asyncio.to_thread(functools.partial(send_mail, self._settings, mail))
        except (OSError, smtplib.SMTPException) as error:
            log.error("link code not sent", extra={"channel": "smtp", "error": error_type(error)})

    def _mail(self, address: str, code: str, expires_at: datetime) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self._settings.smtp_sender
        mail["To"] = address
        mail["Subject"] = SUBJECT
        mail.set_content(
            f"Your code to confirm this address: {code}\n\n"
            f"It works once, until {expires_at:%Y-%m-%d %H:%M} UTC. "
            "If you did not ask for it, ignore this mail: nothing is linked without it.\n"
        )
        return mail
