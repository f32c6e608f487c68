"""What an inbox row shows (preview, link to the post), the search words, the paging cursor."""

from datetime import UTC, datetime
from uuid import UUID

import pytest

from responder.api import cursors
from responder.api.cursors import BadCursor
from responder.domain.inbox import BadSearch, Position, post_link, preview, search_words

AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class TestPreview:
    def test_a_short_message_is_shown_whole_on_one_line(self) -> None:
        assert preview("  my order\n\nnever   came ") == "my order never came"

    def test_a_long_message_is_cut_at_a_word_under_140_characters(self) -> None:
        shown = preview("word " * 60)
        assert len(shown) <= 140
        assert shown.endswith("word…")

    def test_korean_without_spaces_is_cut_at_140_characters(self) -> None:
        shown = preview("배" * 300)
        assert shown == "배" * 139 + "…"


class TestPostLink:
    def test_the_events_http_url_is_kept(self) -> None:
        url = "https://forum.example/t/42"
        assert post_link("forum", "42", None, url) == url

    @pytest.mark.parametrize(
        "url", ["javascript:alert(1)", "data:text/html,x", "//x.com/a", "ftp://h/x"]
    )
    def test_a_url_that_is_not_a_web_link_is_never_used(self, url: str) -> None:
        assert post_link("forum", "42", None, url) is None
        assert post_link("x", "42", "ann", url) == "https://x.com/ann/status/42"

    def test_links_are_built_from_x_and_facebook_ids(self) -> None:
        assert post_link("x", "99", None, None) == "https://x.com/i/web/status/99"
        assert post_link("facebook", "1_2", None, None) == "https://www.facebook.com/1_2"
        assert post_link("x", "9/../x", "a b", None) == "https://x.com/a%20b/status/9%2F..%2Fx"

    def test_no_link_where_the_platform_gives_no_address(self) -> None:
        assert post_link("instagram", "123", "ann", None) is None
        assert post_link("x", None, "ann", None) is None


class TestSearchWords:
    def test_words_in_any_script_casefolded_once_each(self) -> None:
        assert search_words("Refund REFUND @h_ann 배송이") == ["refund", "h_ann", "배송이"]

    def test_operators_are_only_separators(self) -> None:
        assert search_words('{"$where": "1"} -late "x') == ["where", "1", "late", "x"]

    @pytest.mark.parametrize("query", ["", "  ", "$!?-", "a b c d e f g h i"])
    def test_a_search_with_no_word_or_too_many_is_refused(self, query: str) -> None:
        with pytest.raises(BadSearch):
            search_words(query)


QUERY = cursors.fingerprint({"active": True})


class TestCursor:
    position = Position(42.5, None, AT, UUID(int=7))

    def test_a_cursor_names_its_position(self) -> None:
        token = cursors.encode(self.position, QUERY)
        assert cursors.decode(token, QUERY) == self.position
        due = Position(1.0, AT, AT, UUID(int=8))
        assert cursors.decode(cursors.encode(due, QUERY), QUERY) == due

    def test_a_cursor_of_other_filters_is_refused(self) -> None:
        token = cursors.encode(self.position, cursors.fingerprint({"queue": "pr"}))
        with pytest.raises(BadCursor, match="other filters"):
            cursors.decode(token, cursors.fingerprint({"queue": "support"}))

    @pytest.mark.parametrize("token", ["x", "!!!", "e30", "a" * 600, "eyJwIjoxfQ"])
    def test_a_cursor_that_is_not_ours_is_refused(self, token: str) -> None:
        with pytest.raises(BadCursor):
            cursors.decode(token, QUERY)

    def test_positions_order_as_the_inbox(self) -> None:
        later_due = Position(42.5, AT, AT, UUID(int=1))
        lower = Position(10.0, None, AT, UUID(int=1))
        assert self.position.key() < later_due.key() < lower.key()
