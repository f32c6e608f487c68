"""The recovery gesture: for a complaint the brand answered and resolved."""

from rapport.events import CaseChange, Intent


def earns_recovery(case: CaseChange) -> bool:
    """A complaint case resolved after a brand reply (responder sets ``first_response_at`` at
    the first one); closing a complaint without answering it earns nothing."""
    return (
        case.change == "resolved"
        and Intent.COMPLAINT in case.intents
        and case.first_response_at is not None
    )
