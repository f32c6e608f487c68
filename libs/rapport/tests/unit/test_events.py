import json
from uuid import UUID

import pytest
from pydantic import ValidationError

from rapport.events import (
    ALL_EVENTS,
    Author,
    CaseChanged,
    CaseOpened,
    MentionEnriched,
    MentionIngested,
    PrivacyCompleted,
    Purchase,
    deterministic_id,
)
from rapport.events.codec import DecodeError, decode, encode
from rapport.events.examples import examples
from rapport.events.privacy import PrivacyCompletedV1
from rapport.events.upcasters import UPCASTERS, Upcasters
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
            assert decode(encode(event), topic.events) == UPCASTERS.upcast(event)

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


def with_changes(event: MentionIngested, **changes: object) -> bytes:
    data = json.loads(encode(event))
    data.update(changes)
    return json.dumps(data).encode()


class TestTolerantReader:
    """A consumer one version behind still reads what a newer producer writes."""

    def test_unknown_fields_are_ignored_at_every_level(self) -> None:
        data = json.loads(encode(ingested()))
        data["trace_hint"] = "top level"
        data["payload"]["mood"] = "curious"
        data["payload"]["author"]["pronouns"] = "they"
        data["payload"]["engagement"]["bookmarks"] = 4
        event = decode(json.dumps(data).encode(), (MentionIngested,))
        assert event == ingested()
        assert encode(event) == encode(ingested())

    def test_a_newer_compatible_version_is_read_as_the_latest_known(self) -> None:
        data = json.loads(encode(ingested()))
        data["schema_version"] = 2
        data["payload"]["author"]["pronouns"] = "they"
        event = decode(json.dumps(data).encode(), (MentionIngested,))
        assert isinstance(event, MentionIngested)
        assert event.schema_version == 1
        assert event.payload == ingested().payload

    def test_a_newer_version_that_does_not_fit_is_a_decode_error(self) -> None:
        data = json.loads(encode(ingested()))
        data["schema_version"] = 2
        del data["payload"]["text"]
        with pytest.raises(DecodeError, match=r"read v2 as v1: payload\.text: Field required"):
            decode(json.dumps(data).encode(), (MentionIngested,))

    def test_an_unknown_older_version_is_a_decode_error(self) -> None:
        with pytest.raises(DecodeError, match=r"mention.ingested v0 is unknown \(known: v1\)"):
            decode(with_changes(ingested(), schema_version=0), (MentionIngested,))

    def test_an_unknown_type_is_a_decode_error(self) -> None:
        with pytest.raises(DecodeError, match="type: not an event of this topic"):
            decode(with_changes(ingested(), type="mention.deleted"), (MentionIngested,))

    @pytest.mark.parametrize("version", ['"2"', "true", "1.5", "null"])
    def test_schema_version_must_be_an_integer(self, version: str) -> None:
        value = encode(ingested()).replace(
            b'"schema_version":1', f'"schema_version":{version}'.encode()
        )
        with pytest.raises(DecodeError, match="schema_version"):
            decode(value, (MentionIngested,))

    def test_known_fields_are_still_validated(self) -> None:
        data = json.loads(encode(ingested()))
        data["payload"]["surprise"] = 1
        data["payload"]["author"]["followers"] = -1
        with pytest.raises(DecodeError, match=r"payload\.author\.followers"):
            decode(json.dumps(data).encode(), (MentionIngested,))


class TestStrictWriter:
    """Events and their parts built in code reject what the contract does not name."""

    def test_an_event_with_an_unknown_field_is_refused(self) -> None:
        data = json.loads(encode(ingested()))
        data["payload"]["surprise"] = 1
        with pytest.raises(ValidationError, match=r"payload\.surprise"):
            MentionIngested.model_validate(data)

    def test_a_part_with_an_unknown_field_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="extra_forbidden"):
            Author(id="a1", pronouns="they")  # type: ignore[call-arg]

    def test_a_request_model_built_on_a_contract_stays_strict(self) -> None:
        purchase = {
            "purchase_id": "p1",
            "profile_id": "00000000-0000-0000-0000-000000000001",
            "amount": 10,
            "currency": "EUR",
            "purchased_at": "2026-01-01T00:00:00Z",
        }
        assert Purchase.model_validate(purchase).purchase_id == "p1"
        with pytest.raises(ValidationError, match="coupon"):
            Purchase.model_validate({**purchase, "coupon": "X"})


class TestCaseOpenedIsReadAsAChange:
    def opened(self) -> CaseOpened:
        return next(e for e in examples() if isinstance(e, CaseOpened))

    def test_it_is_upcast_to_the_opened_change(self) -> None:
        opened = self.opened()
        event = decode(encode(opened), CATALOGUE["care.cases"].events)
        assert isinstance(event, CaseChanged)
        assert (event.event_id, event.occurred_at) == (opened.event_id, opened.occurred_at)
        change = event.payload
        assert (change.change, change.state, change.sequence) == ("opened", "open", 1)
        assert change.case_id == opened.payload.case_id
        assert change.mention_ids == [opened.payload.opened_by_mention]
        assert change.changed_at == opened.payload.opened_at

    def test_a_consumer_of_case_changed_alone_reads_it(self) -> None:
        assert isinstance(decode(encode(self.opened()), (CaseChanged,)), CaseChanged)


def test_every_event_has_an_example() -> None:
    assert {type(e) for e in examples()} == set(ALL_EVENTS)


def test_catalogue_names_every_event() -> None:
    carried = {event for topic in CATALOGUE.values() for event in topic.events}
    assert carried == set(ALL_EVENTS)


class TestPrivacyCompletedV2CarriesNoExport:
    def completed(self) -> PrivacyCompleted:
        return next(e for e in examples() if isinstance(e, PrivacyCompleted))

    def test_a_v1_answer_is_read_as_v2_without_its_export(self) -> None:
        answer = self.completed().payload.model_dump(exclude={"export_path", "expires_at"})
        old = PrivacyCompletedV1.model_validate(
            {
                "event_id": self.completed().event_id,
                "occurred_at": self.completed().occurred_at,
                "payload": {**answer, "kind": "export", "export": {"members": [{"n": "Jo"}]}},
            }
        )
        event = decode(encode(old), CATALOGUE["privacy.requests"].events)
        assert isinstance(event, PrivacyCompleted)
        assert event.event_id == old.event_id
        assert "Jo" not in event.model_dump_json()
        assert event.payload.documents == answer["documents"]

    def test_a_consumer_of_v1_alone_still_reads_a_v2_answer(self) -> None:
        current = self.completed().model_copy(
            update={
                "payload": self.completed().payload.model_copy(
                    update={"kind": "export", "export_path": "/v1/privacy/exports/x"}
                )
            }
        )
        before_v2 = Upcasters()  # a consumer deployed before v2 knew no upcaster for it
        event = decode(encode(current), (PrivacyCompletedV1,), upcasters=before_v2)
        assert isinstance(event, PrivacyCompletedV1)
        assert event.payload.export is None
        assert event.payload.documents == current.payload.documents
