"""Start-up migrations of stored videos; each is idempotent and safe beside live traffic."""

import logging

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from vidvault.core.database import Doc
from vidvault.videos.filenames import clean_title, default_title, strip_invisible
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


async def strip_invisible_controls(db: AsyncDatabase[Doc]) -> int:
    """Remove bidi and C0/C1 controls from stored titles and file names; returns how many changed.

    Such characters were once kept ("evil\u202egpj.mp4" showed as "evil4pm.jpg").
    A scan of every video's two short fields: a query cannot name these
    characters portably, and a library is thousands of videos, not millions.
    """
    collection = db["videos"]
    writes = []
    async for doc in collection.find({}, {"title": True, "filename": True}):
        filename = strip_invisible(doc["filename"]).strip() or "video"
        title = clean_title(doc["title"]) or default_title(filename)
        if (title, filename) != (doc["title"], doc["filename"]):
            # Matching what was read: a rename in the meantime has written a clean title.
            writes.append(
                UpdateOne(
                    {"_id": doc["_id"], "title": doc["title"]},
                    {"$set": {"title": title, "filename": filename, **search_fields(title)}},
                )
            )
    if not writes:
        return 0
    changed = (await collection.bulk_write(writes, ordered=False)).modified_count
    logger.info("removed invisible controls from the title or file name of %d videos", changed)
    return changed
