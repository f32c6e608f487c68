"""Notes and tags on a case (``use_cases.case_notes``, ``case_tags``) on the fakes."""

from uuid import UUID

import pytest
from pydantic import ValidationError

from responder.domain.case import Case
from responder.domain.notes import NOTE_MAX
from responder.domain.tags import MAX_TAGS, InvalidTag, TooManyTags, tag_of
from responder.fakes import Fakes
from responder.ports import Ports
from responder.use_cases.case_changes import UnknownCase
from responder.use_cases.case_intake import take_mention
from responder.use_cases.case_notes import NoteIdTaken, add_note
from responder.use_cases.case_tags import add_tag, remove_tag

from .conftest import mention

NOTE = UUID(int=7)


@pytest.fixture
async def case(ports: Ports) -> Case:
    opened = await take_mention(ports, mention(1, intents=["complaint"]))
    assert opened is not None
    return opened


@pytest.mark.parametrize(
    ("written", "stored"),
    [("VIP", "vip"), (" refund-2 ", "refund-2"), ("a_b", "a_b"), ("x" * 32, "x" * 32)],
)
def test_a_tag_is_lower_cased(written: str, stored: str) -> None:
    assert tag_of(written) == stored


@pytest.mark.parametrize("written", ["", "-vip", "a b", "x" * 33, "café", "$gt", "a.b", "é"])
def test_a_tag_outside_the_charset_or_length_is_refused(written: str) -> None:
    with pytest.raises(InvalidTag):
        tag_of(written)


async def test_tags_are_added_once_removed_and_bounded(
    fakes: Fakes, ports: Ports, case: Case
) -> None:
    assert (await add_tag(ports, case.id, "VIP")).tags == ["vip"]
    assert (await add_tag(ports, case.id, "vip")).tags == ["vip"]
    for n in range(1, MAX_TAGS):
        await add_tag(ports, case.id, f"t{n}")
    with pytest.raises(TooManyTags):
        await add_tag(ports, case.id, "one-more")
    assert len(fakes.cases.cases[case.id].tags) == MAX_TAGS
    assert "vip" not in (await remove_tag(ports, case.id, "VIP")).tags
    with pytest.raises(InvalidTag):
        await remove_tag(ports, case.id, "no way")
    with pytest.raises(UnknownCase):
        await add_tag(ports, UUID(int=404), "vip")


async def test_a_note_is_signed_kept_once_and_never_changed_by_a_repeat(
    fakes: Fakes, ports: Ports, case: Case
) -> None:
    note = await add_note(ports, fakes.notes, case.id, "ann", NOTE, "  called them  ")
    assert (note.author, note.text, note.created_at) == ("ann", "called them", ports.clock())
    assert await add_note(ports, fakes.notes, case.id, "ann", NOTE, "called them") == note
    with pytest.raises(NoteIdTaken):
        await add_note(ports, fakes.notes, case.id, "ann", NOTE, "something else")
    with pytest.raises(UnknownCase):
        await add_note(ports, fakes.notes, UUID(int=404), "ann", UUID(int=8), "hi")
    assert list(fakes.notes.notes) == [NOTE]


@pytest.mark.parametrize("text", ["", "   ", "x" * (NOTE_MAX + 1)])
async def test_a_note_outside_its_bounds_is_refused(
    fakes: Fakes, ports: Ports, case: Case, text: str
) -> None:
    with pytest.raises(ValidationError):
        await add_note(ports, fakes.notes, case.id, "ann", NOTE, text)
    assert fakes.notes.notes == {}
