from datetime import UTC, datetime

from bson import ObjectId

from rapport.sequence import as_seq


def test_seqs_sort_by_number_and_after_every_clock_made_objectid() -> None:
    latest_clock_made = ObjectId.from_datetime(datetime(2105, 12, 31, tzinfo=UTC))

    assert latest_clock_made < as_seq(0) < as_seq(1) < as_seq(255) < as_seq(256) < as_seq(2**40)
