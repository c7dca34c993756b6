from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId
from bson import ObjectId
from pydantic import BaseModel, Field
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


class VideoStatus(StrEnum):
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class StoredImage(BaseModel):
    """A still image of the video (the poster), stored as its own file."""

    file_id: PydanticObjectId
    content_type: str
    width: int
    height: int


class StoryboardSheet(BaseModel):
    """The seek-bar preview: one sprite of tiles, row by row, one every interval."""

    file_id: PydanticObjectId
    content_type: str
    tile_width: int
    tile_height: int
    columns: int
    rows: int
    count: int
    interval_seconds: float


class PlaybackCopy(BaseModel):
    """The H.264/AAC MP4 made for browsers that cannot play the original."""

    file_id: PydanticObjectId
    content_type: str
    size: int
    chunk_size: int
    created_at: datetime


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
    # Processing (see media/): what the worker found and made.
    status: VideoStatus = VideoStatus.PROCESSING
    processing_error: str | None = None
    progress: int = 0
    container: str | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None
    frame_rate: float | None = None
    bit_rate: int | None = None
    plays_in_browsers: bool | None = None
    poster: StoredImage | None = None
    storyboard: StoryboardSheet | None = None
    playback_copy: PlaybackCopy | None = None

    def stored_file_ids(self) -> list[ObjectId]:
        """Every stored file this video owns: the original and what was made from it."""
        made = (self.poster, self.storyboard, self.playback_copy)
        return [self.file_id, *(output.file_id for output in made if output is not None)]

    class Settings:
        name = "videos"
        indexes = [
            *_library_indexes(),
            IndexModel([("file_id", ASCENDING)], name="file_id", unique=True),
            # For the sweeper's "does a video own this file?", one per output.
            IndexModel([("poster.file_id", ASCENDING)], name="poster_file_id", sparse=True),
            IndexModel([("storyboard.file_id", ASCENDING)], name="storyboard_file_id", sparse=True),
            IndexModel(
                [("playback_copy.file_id", ASCENDING)], name="playback_copy_file_id", sparse=True
            ),
        ]


# Where each output's file id is kept in a video document.
OUTPUT_FILE_FIELDS = ("file_id", "poster.file_id", "storyboard.file_id", "playback_copy.file_id")
