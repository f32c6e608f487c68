"""Mail through an SMTP server, as every service that mails configures it (``RAPPORT_SMTP_*``):
stdlib ``smtplib``, blocking (callers run it in a thread), STARTTLS and a login when set."""

import smtplib
from email.message import EmailMessage

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmtpSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAPPORT_", extra="ignore")

    smtp_host: str = ""
    """Empty: the service has no mail channel."""
    smtp_port: int = Field(25, ge=1, le=65_535)
    smtp_sender: str = "Rapport <no-reply@rapport.local>"
    """The mails' From address."""
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_timeout_s: float = Field(10.0, gt=0)


def send_mail(settings: SmtpSettings, mail: EmailMessage) -> None:
    """Hand ``mail`` to the server; ``OSError`` or ``smtplib.SMTPException`` when it fails."""
    s = settings
    with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s) as smtp:
        if s.smtp_starttls:
            smtp.starttls()
        if s.smtp_username:
            smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
        smtp.send_message(mail)
