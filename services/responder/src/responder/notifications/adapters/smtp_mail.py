"""Email through SMTP: stdlib ``smtplib`` in a thread, STARTTLS and a login when configured.
A 5xx answer or refused recipients are permanent; a 4xx, a dropped connection or a network
failure is transient. Without an SMTP host every email fails for good, with that reason."""

import asyncio
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from pydantic import SecretStr

from responder.notifications.domain.rendering import Rendered
from responder.notifications.ports import DeliveryFailed


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    sender: str
    starttls: bool
    username: str
    password: SecretStr
    timeout_s: float


class SmtpMail:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def send(self, address: str, message: Rendered) -> None:
        if not self._server.host:
            raise DeliveryFailed("no SMTP server configured", permanent=True)
        mail = EmailMessage()
        mail["From"], mail["To"] = self._server.sender, address
        mail["Subject"], body = message.email()
        mail.set_content(body)
        try:
            await asyncio.to_thread(self._send, mail)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryFailed("recipient refused", permanent=True) from error
        except smtplib.SMTPResponseException as error:
            reason = f"SMTP answered {error.smtp_code}"
            raise DeliveryFailed(reason, permanent=error.smtp_code >= 500) from error
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(type(error).__name__) from error

    def _send(self, mail: EmailMessage) -> None:
        s = self._server
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as smtp:
            if s.starttls:
                smtp.starttls()
            if s.username:
                smtp.login(s.username, s.password.get_secret_value())
            smtp.send_message(mail)
