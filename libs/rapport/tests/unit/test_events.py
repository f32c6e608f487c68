import json
from uuid import UUID

import pytest
from pydantic import ValidationError

from rapport.events import ALL_EVENTS, MentionEnriched, MentionIngested, deterministic_id
from rapport.events.codec import DecodeError, decode, encode
from rapport.events.examples import examples
from rapport.topics import CATALOGUE


def ingested() -> MentionIngested:
    event = examples()[0]
    assert isinstance(event, MentionIngested)
    return event


class TestDeterministicIds:
    def test_same_cause_same_id(self) -> None:
        assert deterministic_id("a", "b") == deterministic_id("a", "b")

    def test_parts_are_not_concatenated_ambiguously(self) -> None:
        assert deterministic_id("ab", "c") != deterministic_id("a", "bc")

    def test_mention_id_comes_from_platform_and_external_id(self) -> None:
        mention = ingested().payload
        again = MentionIngested.of(mention)
        other = MentionIngested.of(mention.model_copy(update={"external_id": "other"}))
        assert again.event_id == ingested().event_id
        assert other.event_id != ingested().event_id

    def test_enriched_id_follows_its_cause(self) -> None:
        first = MentionEnriched.of(ingested(), examples()[1].payload.profile)
        second = MentionEnriched.of(ingested(), examples()[1].payload.profile)
        assert first.event_id == second.event_id != ingested().event_id


class TestCodec:
    def test_round_trip(self) -> None:
        for event in examples():
            topic = next(t for t in CATALOGUE.values() if type(event) in t.events)
            assert decode(encode(event), topic.events) == event

    def test_unknown_field_is_rejected(self) -> None:
        data = json.loads(encode(ingested()))
        data["payload"]["surprise"] = 1
        with pytest.raises(DecodeError, match=r"payload\.surprise"):
            decode(json.dumps(data).encode(), (MentionIngested,))

    def test_wrong_event_type_for_topic(self) -> None:
        with pytest.raises(DecodeError, match="type"):
            decode(encode(examples()[1]), (MentionIngested,))

    @pytest.mark.parametrize("value", [None, b"", b"not json", b"[]", b'{"type": 1}'])
    def test_garbage_is_a_decode_error(self, value: bytes | None) -> None:
        with pytest.raises(DecodeError):
            decode(value, (MentionIngested,))

    def test_reason_never_echoes_the_value(self) -> None:
        data = json.loads(encode(ingested()))
        data["payload"]["text"] = ""
        data["payload"]["author"]["id"] = "secret handle!"
        with pytest.raises(DecodeError) as caught:
            decode(json.dumps(data).encode(), (MentionIngested,))
        assert "secret handle" not in str(caught.value)

    def test_events_are_immutable(self) -> None:
        with pytest.raises(ValidationError):
            ingested().event_id = UUID(int=0)  # type: ignore[misc]


def test_every_event_has_an_example() -> None:
    assert {type(e) for e in examples()} == set(ALL_EVENTS)


def test_catalogue_names_every_event() -> None:
    carried = {event for topic in CATALOGUE.values() for event in topic.events}
    assert carried == set(ALL_EVENTS)
