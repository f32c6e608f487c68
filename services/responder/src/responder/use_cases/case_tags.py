"""Tags on a case: added and removed by any agent or supervisor, lower-cased, at most
``MAX_TAGS`` a case."""

from uuid import UUID

from responder.domain.case import Case
from responder.domain.tags import MAX_TAGS, TooManyTags, tag_of
from responder.ports import Ports
from responder.use_cases.case_changes import UnknownCase


async def _stored(ports: Ports, case_id: UUID) -> Case:
    case = await ports.cases.get(case_id)
    if case is None:
        raise UnknownCase(str(case_id))
    return case


async def add_tag(ports: Ports, case_id: UUID, written: str) -> Case:
    added = await ports.cases.tag(case_id, tag_of(written), MAX_TAGS)
    if added is None:
        raise UnknownCase(str(case_id))
    if not added:
        raise TooManyTags(str(case_id))
    return await _stored(ports, case_id)


async def remove_tag(ports: Ports, case_id: UUID, written: str) -> Case:
    if not await ports.cases.untag(case_id, tag_of(written)):
        raise UnknownCase(str(case_id))
    return await _stored(ports, case_id)
