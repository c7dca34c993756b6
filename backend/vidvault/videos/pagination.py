"""Opaque keyset cursors for the library: (created_at, _id) of the last item seen."""

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from beanie import PydanticObjectId
from bson.errors import InvalidId

from vidvault.videos.exceptions import InvalidCursor


@dataclass(frozen=True, slots=True)
class Cursor:
    created_at: datetime
    video_id: PydanticObjectId

    def encode(self) -> str:
        millis = int(self.created_at.timestamp() * 1000)
        raw = f"{millis}.{self.video_id}".encode("ascii")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "Cursor":
        try:
            padded = token + "=" * (-len(token) % 4)
            millis, _, video_id = base64.urlsafe_b64decode(padded).decode("ascii").partition(".")
            created_at = datetime.fromtimestamp(int(millis) / 1000, UTC)
            return cls(created_at, PydanticObjectId(video_id))
        except (ValueError, TypeError, InvalidId, binascii.Error, OverflowError, OSError) as error:
            raise InvalidCursor from error

    def older_than_filter(self) -> dict[str, object]:
        """Items after this one in newest-first order."""
        return {
            "$or": [
                {"created_at": {"$lt": self.created_at}},
                {"created_at": self.created_at, "_id": {"$lt": self.video_id}},
            ]
        }
