"""`make run`'s mail sink: profiles is pointed at it, and every mail it receives lands as a file
under the profile's ``mail/`` folder, where a developer finds link requests' one-time codes."""

import asyncio
import smtplib
import socket
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

from rapport.testing import eventually

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "local"))

import local_mail  # noqa: E402
from local_profile import PROFILES  # noqa: E402
from local_services import service_env  # noqa: E402


def test_make_run_sends_profiles_mail_to_the_sink() -> None:
    env = service_env(PROFILES["run"], "profiles", auth_jwks="/keys/jwks.json", environ={})
    assert env["RAPPORT_SMTP_HOST"] == "127.0.0.1"
    assert env["RAPPORT_SMTP_PORT"] == str(local_mail.PORT)
    assert local_mail.mail_dir(PROFILES["run"]) == REPO / ".state" / "run" / "mail"
    assert "RAPPORT_SMTP_HOST" not in service_env(PROFILES["test"], "profiles", auth_jwks="x")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _send(port: int) -> bool:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "a@example.com", "jo@example.com", "code"
    mail.set_content("Your code to confirm this address: abcdefghijklmnopqrstuvwx")
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
            smtp.send_message(mail)
    except OSError:
        return False
    return True


async def test_every_mail_lands_in_a_file(tmp_path: Path) -> None:
    port = _free_port()
    sink = await asyncio.create_subprocess_exec(
        *(sys.executable, local_mail.__file__, "--port", str(port), "--dir", str(tmp_path)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await eventually(lambda: asyncio.to_thread(_send, port), timeout_s=60)
        (mail,) = await eventually(lambda: list(tmp_path.glob("*.eml")), timeout_s=30)
        assert "abcdefghijklmnopqrstuvwx" in mail.read_text()
    finally:
        sink.terminate()
        await asyncio.wait_for(sink.wait(), timeout=30)
