"""Which cases weigh on a customer's health: open complaints."""

from rapport.events import CaseChange, Intent


def is_open_complaint(case: CaseChange) -> bool:
    return case.state != "resolved" and Intent.COMPLAINT in case.intents
