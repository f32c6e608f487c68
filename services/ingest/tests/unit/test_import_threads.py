"""Reply chains become conversations: the chain's first tweet's id, whatever the row order."""

from datetime import UTC, datetime

from ingest.domain.normalize import MentionIn
from ingest.imports.rows import Row
from ingest.imports.threads import Threads
from rapport.events import Platform


def row(tweet: str, parent: str | None = None) -> Row:
    mention = MentionIn(
        platform=Platform.X,
        external_id=tweet,
        author={"id": "a"},
        text="t",
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
        in_reply_to=parent,
    )
    return Row(int(tweet), int(tweet), mention)


def conversations(rows: list[Row]) -> dict[str, str | None]:
    return {r.mention.external_id: r.mention.conversation_id for r in rows}


def thread(rows: list[Row], threads: Threads | None = None) -> list[Row]:
    threads = threads or Threads()
    ready = [r for item in rows for r in threads.add(item)]
    return ready + threads.release()


def test_a_chain_in_order_is_one_conversation_named_after_its_first_tweet() -> None:
    ready = thread([row("1"), row("2", "1"), row("3", "2"), row("4")])
    assert conversations(ready) == {"1": "1", "2": "1", "3": "1", "4": "4"}


def test_replies_before_their_parents_wait_for_them() -> None:
    threads = Threads()
    assert threads.add(row("3", "2")) == []
    assert threads.add(row("2", "1")) == []
    released = threads.add(row("1"))
    assert conversations(released) == {"1": "1", "2": "1", "3": "1"}
    assert threads.release() == []


def test_a_chain_whose_first_tweet_is_missing_is_named_after_the_missing_parent() -> None:
    ready = thread([row("3", "2"), row("2", "1"), row("5", "4")])
    assert conversations(ready) == {"2": "1", "3": "1", "5": "4"}


def test_rows_after_a_released_chain_join_its_conversation() -> None:
    threads = Threads(max_held=1)
    threads.add(row("3", "2"))
    released = threads.add(row("4", "3"))  # two rows wait on 2: over the bound, let them go
    assert conversations(released) == {"3": "2", "4": "2"}
    assert conversations(threads.add(row("5", "4"))) == {"5": "2"}


def test_forgotten_ids_keep_memory_bounded() -> None:
    threads = Threads(max_ids=2)
    for tweet in ("1", "2", "3"):
        threads.add(row(tweet))
    assert conversations(thread([row("4", "1")], threads)) == {"4": "1"}
    assert len(threads._parent) <= 2
    assert len(threads._conversation) <= 2


def test_a_cycle_does_not_hang() -> None:
    ready = thread([row("1", "2"), row("2", "1")])
    assert sorted(conversations(ready)) == ["1", "2"]
