from pymongo import ASCENDING, DESCENDING, IndexModel

from rapport import outbox

INDEXES = {
    "ledger": [
        IndexModel([("profile_id", ASCENDING), ("at", DESCENDING)]),
        IndexModel([("profile_id", ASCENDING), ("rule", ASCENDING), ("at", ASCENDING)]),
        IndexModel([("expires_at", ASCENDING)], partialFilterExpression={"settled": False}),
        IndexModel([("status", ASCENDING), ("at", ASCENDING)]),
        # The tier window: a member's earnings credited since a date (read for every batch).
        IndexModel(
            [("profile_id", ASCENDING), ("credited_at", ASCENDING)],
            partialFilterExpression={"kind": "earn", "status": "credited"},
        ),
    ],
    "members": [
        IndexModel([("tier_review_at", ASCENDING)], sparse=True),
        IndexModel([("stage", ASCENDING)]),
        IndexModel([("segment", ASCENDING)]),
    ],
    "redemptions": [IndexModel([("profile_id", ASCENDING)])],
    "outreach": [IndexModel([("profile_id", ASCENDING), ("at", ASCENDING)])],
    "questions": [IndexModel([("profile_id", ASCENDING)]), IndexModel([("author_key", ASCENDING)])],
    "intake": [IndexModel([("profile_ids", ASCENDING)])],
    "people": [IndexModel([("person", ASCENDING)])],
    "purchases": [IndexModel([("profile_id", ASCENDING)])],
    "referrals": [
        IndexModel([("referred", ASCENDING)], unique=True),
        IndexModel([("referrer", ASCENDING)]),
    ],
    "rollouts": [IndexModel([("state", ASCENDING), ("created_at", ASCENDING)])],
    outbox.COLLECTION: outbox.INDEXES,
}


def question_ttl(days: int) -> dict[str, list[IndexModel]]:
    """Questions are remembered for ``days``: MongoDB deletes older ones."""
    return {"questions": [IndexModel([("at", ASCENDING)], expireAfterSeconds=days * 86_400)]}
