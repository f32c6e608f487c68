"""A failed reply retried or corrected by an edit (``use_cases.replying``) on the fakes."""

from datetime import timedelta
from uuid import UUID

import pytest

from responder.domain.agents import AgentIn
from responder.domain.case import Case
from responder.domain.retries import Retries
from responder.fakes import Fakes
from responder.ports import DeliveryFailed, Ports
from responder.use_cases import case_actions, replying
from responder.use_cases.case_changes import CaseError
from responder.use_cases.case_intake import take_mention
from responder.use_cases.reply_delivery import send_next

from .conftest import mention
from .test_reply_delivery import Connector

RETRIES = Retries(max_attempts=1, first_backoff_s=2, max_backoff_s=60, lease=timedelta(seconds=30))
FIRST, EDIT = UUID(int=1), UUID(int=2)


@pytest.fixture
async def case(ports: Ports) -> Case:
    opened = await take_mention(ports, mention(1, intents=["complaint"]))
    assert opened is not None
    await ports.agents.put("ann", AgentIn(name="Ann", skills=opened.skills, capacity=5))
    return await case_actions.claim(ports, opened.id, "ann")


async def failed_reply(fakes: Fakes, ports: Ports, case: Case) -> None:
    await replying.send(ports, fakes.replies, case.id, "ann", FIRST, "sorry", channel="direct")
    await send_next(ports, fakes.replies, Connector(DeliveryFailed("HTTP 400")), RETRIES)
    assert fakes.replies.replies[FIRST].state == "failed"


async def test_a_failed_reply_is_retried_as_it_was_and_then_sent(
    fakes: Fakes, ports: Ports, case: Case
) -> None:
    await failed_reply(fakes, ports, case)
    again = await replying.retry(ports, fakes.replies, case.id, FIRST, "ann")
    assert (again.id, again.text, again.channel, again.state) == (
        FIRST,
        "sorry",
        "direct",
        "pending",
    )
    assert await replying.retry(ports, fakes.replies, case.id, FIRST, "ann") == again  # a repeat
    connector = Connector("post-1")
    await send_next(ports, fakes.replies, connector, RETRIES)
    assert connector.sent == [FIRST]
    assert fakes.replies.replies[FIRST].state == "sent"
    with pytest.raises(replying.NotFailed):
        await replying.retry(ports, fakes.replies, case.id, FIRST, "ann")


async def test_an_edit_sends_a_new_reply_and_the_failed_one_is_never_retried(
    fakes: Fakes, ports: Ports, case: Case
) -> None:
    await failed_reply(fakes, ports, case)
    new = await replying.edit(ports, fakes.replies, case.id, FIRST, "ann", EDIT, "so sorry")
    assert (new.id, new.text, new.channel, new.supersedes) == (EDIT, "so sorry", "direct", FIRST)
    assert fakes.replies.replies[FIRST].superseded_by == EDIT
    assert await replying.edit(ports, fakes.replies, case.id, FIRST, "ann", EDIT, "so sorry") == new
    with pytest.raises(replying.NotFailed):
        await replying.retry(ports, fakes.replies, case.id, FIRST, "ann")
    with pytest.raises(replying.NotFailed):
        await replying.edit(ports, fakes.replies, case.id, FIRST, "ann", UUID(int=3), "x")
    assert set(fakes.replies.replies) == {FIRST, EDIT}


async def test_only_the_holder_retries_and_only_replies_of_the_case(
    fakes: Fakes, ports: Ports, case: Case
) -> None:
    await failed_reply(fakes, ports, case)
    with pytest.raises(CaseError):
        await replying.retry(ports, fakes.replies, case.id, FIRST, "bob")
    with pytest.raises(replying.UnknownReply):
        await replying.retry(ports, fakes.replies, case.id, UUID(int=9), "ann")
    with pytest.raises(replying.ReplyIdTaken):
        await replying.edit(ports, fakes.replies, case.id, FIRST, "ann", FIRST, "x")
    assert fakes.replies.replies[FIRST].state == "failed"
    assert fakes.replies.replies[FIRST].superseded_by is None
