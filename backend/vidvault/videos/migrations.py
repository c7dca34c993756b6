"""Start-up migrations of stored videos; each is idempotent and safe beside live traffic."""

import logging

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from vidvault.core.database import Doc
from vidvault.videos.search import search_fields

logger = logging.getLogger(__name__)

BATCH = 500


async def backfill_search_fields(db: AsyncDatabase[Doc]) -> int:
    """Give videos stored before title search their search fields; returns how many."""
    collection = db["videos"]
    missing = {"title_terms": {"$exists": False}}
    updated = 0
    while batch := await collection.find(missing, {"title": True}).limit(BATCH).to_list():
        # Matching the title read: a rename in the meantime has written its own fields.
        writes = [
            UpdateOne(
                {"_id": doc["_id"], "title": doc["title"], **missing},
                {"$set": search_fields(doc["title"])},
            )
            for doc in batch
        ]
        updated += (await collection.bulk_write(writes, ordered=False)).modified_count
    if updated:
        logger.info("gave %d videos their title search fields", updated)
    return updated
