"""Email through SMTP (``rapport.smtp``, in a thread). A 5xx answer or refused recipients are
permanent; a 4xx, a dropped connection or a network failure is transient. Without an SMTP
host every email fails for good, with that reason."""

import asyncio
import functools
import smtplib
from email.message import EmailMessage

from rapport.smtp import SmtpSettings, send_mail
from responder.notifications.domain.rendering import Rendered
from responder.notifications.ports import DeliveryFailed


class SmtpMail:
    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    async def send(self, address: str, message: Rendered) -> None:
        if not self._settings.smtp_host:
            raise DeliveryFailed("no SMTP server configured", permanent=True)
        mail = EmailMessage()
        mail["From"], mail["To"] = self._settings.smtp_sender, address
        mail["Subject"], body = message.email()
        mail.set_content(body)
        try:
            await asyncio.to_thread(functools.partial(send_mail, self._settings, mail))
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryFailed("recipient refused", permanent=True) from error
        except smtplib.SMTPResponseException as error:
            reason = f"SMTP answered {error.smtp_code}"
            raise DeliveryFailed(reason, permanent=error.smtp_code >= 500) from error
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(type(error).__name__) from error
