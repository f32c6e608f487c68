"""What a batch's book adds up to, written in one transaction: the new ledger entries, one
update per member it changed, the questions it asked, and the entries' events (the outbox)."""

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from loyalty.adapters.outbox import Outbox
from loyalty.domain.batches import Member
from loyalty.domain.crediting import credit
from loyalty.ports import Book
from rapport.mongo import Database, Document


def _member_update(member: Member) -> Document | None:
    update: Document = {}
    if member.enrolled:
        update["$inc"] = credit(member.points)
        if member.flagged_until is not None:
            update["$max"] = {"flagged_until": member.flagged_until}
    if member.fields:
        update["$set"] = member.fields
    return update or None


async def write_book(db: Database, outbox: Outbox, book: Book, s: AsyncClientSession) -> None:
    if book.entries:
        await db["ledger"].insert_many(book.entries, session=s)
    updates = [
        UpdateOne({"_id": profile_id}, update, upsert=member.enrolled)
        for profile_id, member in book.members.items()
        if member.exists and (update := _member_update(member)) is not None
    ]
    if updates:
        await db["members"].bulk_write(updates, ordered=False, session=s)
    questions = [
        UpdateOne({"_id": key}, {"$set": fields}, upsert=True)
        for key, fields in book.questions.items()
    ]
    if questions:
        await db["questions"].bulk_write(questions, ordered=False, session=s)
    await outbox.add_keyed(s, book.events, traces=book.traces)
