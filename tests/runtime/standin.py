"""A stand-in for a service process: ``python standin.py PORT`` answers ``/healthz`` and
``/readyz`` with 200 until ``POST /break`` makes it answer 503 (as a service with a dead worker)."""

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Probes(BaseHTTPRequestHandler):
    broken = False

    def do_GET(self) -> None:
        if self.path not in ("/healthz", "/readyz"):
            self._answer(404)
        else:
            self._answer(503 if Probes.broken else 200)

    def do_POST(self) -> None:
        Probes.broken = self.path == "/break"
        self._answer(200)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Probes).serve_forever()
