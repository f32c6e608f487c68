"""The mail sink of ``make run``: an SMTP server (aiosmtpd) on 127.0.0.1 that delivers nothing
and writes every mail it receives to ``.state/run/mail/<time>-<n>.eml``. Profiles sends the
one-time codes of link requests through it, so that is where a developer finds them.

    python deploy/local/local_mail.py --port 8025 --dir .state/run/mail
"""

import argparse
import itertools
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local_heal import Managed
from local_procs import StartupError, port_in_use, spawn
from local_profile import REPO, Profile

NAME = "mailsink"
PORT = 8025


def mail_dir(profile: Profile) -> Path:
    return profile.state_dir / "mail"


SMTP_ENV = {"RAPPORT_SMTP_HOST": "127.0.0.1", "RAPPORT_SMTP_PORT": str(PORT)}
"""The settings that send the services' mails to the sink."""


def managed_mail_sink(profile: Profile) -> Managed:
    def listening() -> str | None:
        return None if port_in_use(PORT) else f"not listening on port {PORT}"

    def start() -> None:
        if port_in_use(PORT):
            raise StartupError(f"port {PORT} for the mail sink is taken by another process")
        cmd = [sys.executable, __file__, "--port", str(PORT), "--dir", str(mail_dir(profile))]
        spawn(cmd, log_path=profile.log_file(NAME), pid_path=profile.pid_file(NAME), cwd=REPO)

    return Managed(NAME, profile.pid_file(NAME), listening, start, startup_s=15)


class Sink:
    """aiosmtpd's handler: each mail to a file of its own."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.directory / f"{stamp}-{next(self.numbers)}.eml"
        path.write_bytes(envelope.original_content or envelope.content)
        print(f"mail to {len(envelope.rcpt_tos)} recipient(s): {path}", flush=True)
        return "250 Message accepted for delivery"


def main() -> None:
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(Sink(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"mail sink on 127.0.0.1:{args.port}, writing to {args.dir}", flush=True)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    stopping.wait()
    controller.stop()


if __name__ == "__main__":
    main()
