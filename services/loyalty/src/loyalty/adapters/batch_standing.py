"""What a batch of earnings needs to know, read in one round trip for all its members: which of
its entries were earned before (a redelivery), each member's balance, flag and tier, the
points in their tier window, their entries of each capped rule in its windows (counted), and
the askers of the questions the batch's replies answer."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.client_session import AsyncClientSession

from loyalty.adapters.standing import COUNTED, WINDOW, lookup
from loyalty.domain.batches import BatchQuery, BatchStanding
from loyalty.domain.guardrails import Recent, windows
from loyalty.domain.rules import Rule
from rapport.mongo import Database, Document


def _counted_since(start: Any) -> Document:
    return {"$sum": {"$cond": [{"$gte": ["$at", start]}, 1, 0]}}


def _recent_stages(profile_ids: list[UUID], rules: list[Rule], now: datetime) -> Document:
    """Each member's entries of each capped rule, counted per window (velocity windows differ
    by rule)."""
    starts = {rule.kind.value: windows(rule, now) for rule in rules}
    velocity = {
        "$switch": {
            "branches": [{"case": {"$eq": ["$rule", k]}, "then": s[2]} for k, s in starts.items()],
            "default": now,
        }
    }
    day, week = next(iter(starts.values()))[:2]
    match = {
        "profile_id": {"$in": profile_ids},
        "rule": {"$in": list(starts)},
        "status": COUNTED,
        "at": {"$gte": min(min(s) for s in starts.values())},
    }
    group = {
        "_id": {"profile_id": "$profile_id", "rule": "$rule"},
        "day": _counted_since(day),
        "week": _counted_since(week),
        "velocity": _counted_since(velocity),
    }
    return lookup("ledger", "recent", match, {"$group": group})


async def read_batch_standing(
    db: Database, query: BatchQuery, session: AsyncClientSession
) -> BatchStanding:
    stages = batch_standing_stages(query)
    found: dict[str, Any] = (await (await db.aggregate(stages, session=session)).to_list())[0]
    return BatchStanding(
        earned={e["_id"] for e in found["earned"]},
        members={m["_id"]: m for m in found["members"]},
        windows={w["_id"]: (w["points"], w["oldest"]) for w in found["windows"]},
        recent={
            (r["_id"]["profile_id"], r["_id"]["rule"]): Recent(r["day"], r["week"], r["velocity"])
            for r in found.get("recent", [])
        },
        askers={q["_id"]: UUID(str(q["profile_id"])) for q in found["askers"]},
    )


def batch_standing_stages(q: BatchQuery) -> list[Document]:
    """The one aggregation ``read_batch_standing`` runs (a database-level ``$documents``
    pipeline whose lookups each read one thing)."""
    members = list(q.profile_ids)
    earned = {"profile_id": {"$in": members}, "kind": "earn", "status": "credited"}
    group = WINDOW | {"_id": "$profile_id"}
    stages: list[Document] = [
        {"$documents": [{}]},
        lookup("ledger", "earned", {"_id": {"$in": list(q.entry_ids)}}, {"$project": {"_id": 1}}),
        lookup(
            "members",
            "members",
            {"_id": {"$in": members}},
            {"$project": {"balance": 1, "flagged_until": 1, "tier": 1}},
        ),
        lookup(
            "ledger",
            "windows",
            earned | {"credited_at": {"$gte": q.now - q.tier_window}},
            {"$group": group},
        ),
        lookup("questions", "askers", {"_id": {"$in": list(q.questions)}}),
    ]
    capped = [rule for rule in q.rules if rule.limited]
    if capped:
        stages.append(_recent_stages(members, capped, q.now))
    return stages
