"""What an earning needs to know about its member and cause, read in one round trip: the entry
its cause already earned, the member's flag and tier, the rule's recent entries (for caps and
velocity) and the points credited in the tier window."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from pymongo.asynchronous.client_session import AsyncClientSession

from loyalty.domain.crediting import Position, Standing
from loyalty.domain.guardrails import Verdict, counted, windows
from loyalty.domain.rules import Rule
from rapport.mongo import Database, Document

COUNTED = {"$in": [Verdict.CREDIT.value, Verdict.HOLD.value]}
WINDOW = {"_id": None, "points": {"$sum": "$points"}, "oldest": {"$min": "$credited_at"}}


def lookup(collection: str, name: str, match: Document, *then: Document) -> Document:
    return {"$lookup": {"from": collection, "pipeline": [{"$match": match}, *then], "as": name}}


async def read_standing(
    db: Database,
    *,
    profile_id: UUID,
    entry_id: str,
    rule: Rule,
    now: datetime,
    tier_window: timedelta,
    session: AsyncClientSession,
) -> Standing:
    starts = windows(rule, now)
    earned = {"profile_id": profile_id, "kind": "earn", "status": Verdict.CREDIT.value}
    stages = [
        {"$documents": [{}]},
        lookup("ledger", "entry", {"_id": entry_id}),
        lookup(
            "members",
            "member",
            {"_id": profile_id},
            {"$project": {"flagged_until": 1, "tier": 1}},
        ),
        lookup(
            "ledger",
            "window",
            earned | {"credited_at": {"$gte": now - tier_window}},
            {"$group": WINDOW},
        ),
    ]
    if rule.limited:
        recent = {"profile_id": profile_id, "rule": rule.kind.value, "status": COUNTED}
        since = {"at": {"$gte": min(starts)}}
        stages.append(lookup("ledger", "recent", recent | since, {"$project": {"at": 1}}))
    found: dict[str, Any] = (await (await db.aggregate(stages, session=session)).to_list())[0]
    member = found["member"][0] if found["member"] else {}
    window: Document = found["window"][0] if found["window"] else {"points": 0, "oldest": None}
    position = Position(
        flagged_until=member.get("flagged_until"),
        tier=member.get("tier"),
        recent=counted((e["at"] for e in found.get("recent", [])), starts),
        window_points=window["points"],
        oldest_in_window=window["oldest"],
    )
    return Standing(entry=found["entry"][0] if found["entry"] else None, position=position)
