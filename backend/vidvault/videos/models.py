from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from vidvault.auth.models import utc_now


class Video(Document):
    """A user's video; its bytes are the GridFS file `file_id`."""

    owner_id: PydanticObjectId
    file_id: PydanticObjectId
    title: str
    filename: str
    content_type: str
    size: int
    chunk_size: int
    created_at: datetime = Field(default_factory=utc_now)

    class Settings:
        name = "videos"
        indexes = [
            # The library query: one owner's videos, newest first, _id breaking ties.
            IndexModel(
                [("owner_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                name="owner_newest_first",
            ),
            IndexModel([("file_id", ASCENDING)], name="file_id", unique=True),
        ]
