import pytest
from pymongo import IndexModel

from rapport.mongo import Database, ensure_indexes

pytestmark = pytest.mark.integration


async def test_an_index_whose_definition_changed_is_rebuilt(mongo_db: Database) -> None:
    await ensure_indexes(mongo_db, {"people": [IndexModel("email", unique=True)]})
    changed = IndexModel("email", unique=True, partialFilterExpression={"email": {"$exists": 1}})

    await ensure_indexes(mongo_db, {"people": [changed]})
    await ensure_indexes(mongo_db, {"people": [changed]})  # and then it is left alone

    info = await mongo_db["people"].index_information()
    assert info["email_1"]["partialFilterExpression"] == {"email": {"$exists": 1}}
