import pytest

from responder.settings import ResponderSettings

SECRET = "responder-test-secret-0123456789"


def test_responder_consumes_and_relays_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = ResponderSettings(auth_secret=SECRET)  # type: ignore[arg-type]
    assert (defaults.consume_events, defaults.relay_outbox) == (True, True)
    monkeypatch.setenv("RAPPORT_CONSUME_EVENTS", "false")
    monkeypatch.setenv("RAPPORT_RELAY_OUTBOX", "false")
    told = ResponderSettings(auth_secret=SECRET)  # type: ignore[arg-type]
    assert (told.consume_events, told.relay_outbox) == (False, False)
