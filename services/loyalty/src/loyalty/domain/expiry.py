"""Expiry, oldest first, without tracking lots.

Spending consumes the oldest points first, so once the earnings up to some moment have all
passed their expiry date, what is left of them is what they add up to less everything spent or
expired so far (lifetime points less balance), never below zero nor above the balance.
"""


def expiring_points(*, matured: int, lifetime: int, balance: int) -> int:
    """``matured``: all points ever earned whose expiry date has passed (this batch included)."""
    consumed = lifetime - balance
    return max(0, min(balance, matured - consumed))
