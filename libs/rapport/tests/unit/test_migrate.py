import pytest
from pymongo import IndexModel

from rapport.migrate import merge_indexes, migrations_of


def names(models: list[IndexModel]) -> list[str]:
    return [m.document["name"] for m in models]


def test_merging_joins_the_lists_of_a_collection_two_modules_declare() -> None:
    members = {"questions": [IndexModel("profile_id")], "members": [IndexModel("stage")]}
    ttl = {"questions": [IndexModel("at", expireAfterSeconds=60)]}

    merged = merge_indexes(members, ttl)

    assert names(merged["questions"]) == ["profile_id_1", "at_1"]
    assert names(merged["members"]) == ["stage_1"]


def test_an_unknown_service_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown service 'billing'"):
        migrations_of("billing")
