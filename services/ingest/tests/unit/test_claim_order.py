"""Which claimed mentions may be published now (``ingest.analyser.order``)."""

from bson import ObjectId

from ingest.analyser.order import Queued, publishable

SEQ = [ObjectId() for _ in range(8)]  # increasing: the order of acceptance


def ids(mentions: list[Queued]) -> list[str]:
    return [m.id for m in mentions]


def test_with_nothing_pending_elsewhere_every_claimed_mention_is_kept() -> None:
    claimed = [Queued("m1", "x:ann", SEQ[1]), Queued("m2", "x:ann", SEQ[2])]
    assert ids(publishable(claimed, [])) == ["m1", "m2"]


def test_a_mention_waits_for_an_earlier_one_of_its_author_held_elsewhere() -> None:
    claimed = [Queued("m2", "x:ann", SEQ[2]), Queued("b1", "x:bo", SEQ[3])]
    elsewhere = [Queued("m1", "x:ann", SEQ[1])]
    assert ids(publishable(claimed, elsewhere)) == ["b1"]


def test_a_later_mention_of_the_author_elsewhere_holds_nothing_up() -> None:
    claimed = [Queued("m1", "x:ann", SEQ[1])]
    assert ids(publishable(claimed, [Queued("m2", "x:ann", SEQ[2])])) == ["m1"]


def test_a_reply_waits_for_the_earlier_post_it_answers_held_elsewhere() -> None:
    claimed = [Queued("r1", "x:brand", SEQ[2], parent="c1"), Queued("r2", "x:cy", SEQ[3])]
    elsewhere = [Queued("c1", "x:ann", SEQ[1])]
    assert ids(publishable(claimed, elsewhere)) == ["r2"]


def test_a_reply_in_the_same_claim_as_its_post_is_kept_after_it() -> None:
    claimed = [Queued("c1", "x:ann", SEQ[1]), Queued("r1", "x:brand", SEQ[2], parent="c1")]
    assert ids(publishable(claimed, [])) == ["c1", "r1"]


def test_what_waits_holds_back_its_authors_later_mentions_and_the_replies_to_it() -> None:
    claimed = [
        Queued("c2", "x:ann", SEQ[2]),  # waits for c1
        Queued("r2", "x:brand", SEQ[3], parent="c2"),  # waits for c2
        Queued("r3", "x:brand", SEQ[4]),  # waits for r2, its author's earlier one
        Queued("c3", "x:ann", SEQ[5]),  # waits for c2
        Queued("d1", "x:dee", SEQ[6]),
    ]
    elsewhere = [Queued("c1", "x:ann", SEQ[1])]
    assert ids(publishable(claimed, elsewhere)) == ["d1"]


def test_a_reply_accepted_before_the_post_it_answers_does_not_wait_for_it() -> None:
    """Otherwise a post and a reply of one author, accepted in the wrong order, would each
    wait for the other for ever."""
    claimed = [Queued("r1", "x:ann", SEQ[1], parent="c1")]
    elsewhere = [Queued("c1", "x:ann", SEQ[2])]
    assert ids(publishable(claimed, elsewhere)) == ["r1"]
