"""The events that tell an earning entry's state: held for review, decided, credited.
The same entry in the same state always gives the same event ids."""

from collections.abc import Mapping
from typing import Any

from rapport.events import AwardedPoints, Event, HeldPoints, PointsAwarded, PointsHeld


def announcements(entry: Mapping[str, Any]) -> list[Event]:
    events: list[Event] = []
    if entry.get("reason") and entry["status"] in ("held", "credited", "rejected"):
        held = HeldPoints(
            profile_id=entry["profile_id"],
            entry_id=entry["_id"],
            rule=entry["rule"],
            points=entry["points"],
            reason=entry["reason"],
            decision=entry.get("decision"),
            at=entry.get("decided_at") or entry["at"],
        )
        events.append(PointsHeld.of(held))
    if entry["status"] == "credited":
        award = AwardedPoints(
            profile_id=entry["profile_id"],
            entry_id=entry["_id"],
            **{k: entry[k] for k in ("rule", "points", "cause_event_id", "balance")},
        )
        events.append(PointsAwarded.of(award))
    return events
