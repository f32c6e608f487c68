"""Expiry: the points whose expiry date passed leave the balance, oldest first; the entries
stay in the ledger, with an expiry entry recording what was taken and its ``PointsExpired``,
in one unit of work."""

from datetime import datetime
from uuid import UUID

from loyalty.domain.expiry import expiry, expiry_record
from loyalty.ports import EarningStores, EarningWork
from rapport.events import ExpiredPoints, PointsExpired


async def expire(profile_id: UUID, now: datetime, *, uow: EarningWork) -> ExpiredPoints | None:
    """What expired of the member's points as of ``now`` (None when nothing did)."""

    async def work(stores: EarningStores) -> ExpiredPoints | None:
        due = await stores.ledger.due(profile_id, now)
        member = await stores.members.get(profile_id)
        if not due or member is None:
            return None
        settling = expiry(due, member)
        await stores.ledger.settle(settling.entry_ids)
        balance = await stores.members.settle(
            profile_id, matured=settling.matured, points=settling.points
        )
        if settling.points == 0:
            return None
        entry, expired = expiry_record(settling, profile_id=profile_id, balance=balance, now=now)
        await stores.ledger.add(entry)
        await stores.events.add(profile_id, [PointsExpired.of(expired)])
        return expired

    return await uow(work)
