import pytest

from responder.settings import ResponderSettings


def test_responder_consumes_and_relays_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = ResponderSettings()
    assert (defaults.consume_events, defaults.relay_outbox) == (True, True)
    monkeypatch.setenv("RAPPORT_CONSUME_EVENTS", "false")
    monkeypatch.setenv("RAPPORT_RELAY_OUTBOX", "false")
    told = ResponderSettings()
    assert (told.consume_events, told.relay_outbox) == (False, False)
