"""What can go wrong on loyalty's side of a request; each answers one HTTP status
(``rapport.errors``).

LoyaltyError
 ├── NotFound              404: no such member, reward, offer or held entry
 └── Conflict              409: the request contradicts what is stored
      ├── InsufficientBalance   the balance does not cover the reward
      ├── IdempotencyConflict   the key or id was already used with a different body
      └── ReferralRefused       the referral does not pay (``loyalty.domain.referrals``)
"""

from rapport.errors import RapportError


class LoyaltyError(RapportError):
    pass


class NotFound(LoyaltyError):
    status_code = 404


class Conflict(LoyaltyError):
    status_code = 409


class InsufficientBalance(Conflict):
    pass


class IdempotencyConflict(Conflict):
    pass


class ReferralRefused(Conflict):
    pass
