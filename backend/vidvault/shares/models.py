from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from vidvault.auth.models import utc_now


class Share(Document):
    """An unlisted link to one video. The token is not stored, only its hash."""

    video_id: PydanticObjectId
    owner_id: PydanticObjectId
    token_hash: str
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime | None = None  # None: until revoked

    class Settings:
        name = "shares"
        indexes = [
            IndexModel([("token_hash", ASCENDING)], unique=True, name="token_hash"),
            IndexModel(
                [("video_id", ASCENDING), ("created_at", DESCENDING)], name="video_newest_first"
            ),
            IndexModel([("owner_id", ASCENDING)], name="owner"),
        ]
