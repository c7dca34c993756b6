from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from vidvault.auth.models import utc_now
from vidvault.videos.pagination import SORT_KEYS, LibrarySort


def _library_indexes() -> list[IndexModel]:
    """For each order, an index over one owner's library and one for a search in it.

    Oldest first walks the newest-first index backwards and needs none of its own.
    A search is an equality on one element of `title_terms`, so its index still
    yields the matches already in order.
    """
    indexes = []
    for sort, key in SORT_KEYS.items():
        if sort is LibrarySort.OLDEST:
            continue
        name = "newest_first" if sort is LibrarySort.NEWEST else sort.value
        indexes += [
            IndexModel([("owner_id", ASCENDING), *key.spec()], name=f"owner_{name}"),
            IndexModel(
                [("owner_id", ASCENDING), ("title_terms", ASCENDING), *key.spec()],
                name=f"owner_search_{name}",
            ),
        ]
    return indexes


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
    # Derived from the title (videos/search.py), rewritten with it.
    title_key: str = ""
    title_terms: list[str] = Field(default_factory=list)
    duration_seconds: float | None = None  # null until the media probe has measured it

    class Settings:
        name = "videos"
        indexes = [
            *_library_indexes(),
            IndexModel([("file_id", ASCENDING)], name="file_id", unique=True),
        ]
