"""What can go wrong with a request, as each service's own errors say it; one HTTP status each.

Every service's errors derive from these, and ``rapport.service`` answers every one of them the
same way, for every app: ``status_code`` with ``{"detail": <detail>}``. ``detail`` is the
message, or the class's ``reason`` when the message carries more than a client should see.
This module imports nothing, so ``domain/`` modules may raise these.

RapportError              400  the request cannot be done as asked
 ├── NotFound             404  no such thing
 ├── Conflict             409  the request contradicts what is stored
 ├── Gone                 410  it was there and is no more
 ├── Unprocessable        422  well-formed, but its values cannot be used
 └── Unavailable          503  a dependency is away; try again
"""


class RapportError(Exception):
    status_code = 400
    reason: str | None = None
    """The answer's detail for every error of the class, instead of its message."""

    @property
    def detail(self) -> str:
        return self.reason or str(self)


class NotFound(RapportError):
    status_code = 404


class Conflict(RapportError):
    status_code = 409


class Gone(RapportError):
    status_code = 410


class Unprocessable(RapportError):
    status_code = 422


class Unavailable(RapportError):
    status_code = 503
