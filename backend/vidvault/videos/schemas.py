from datetime import datetime
from typing import Annotated

from beanie import PydanticObjectId
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from vidvault.videos.filenames import clean_title
from vidvault.videos.models import VideoStatus

MAX_TITLE_LENGTH = 200


def _cleaned(value: object) -> object:
    return clean_title(value) if isinstance(value, str) else value


# Cleaned before the length check, so a title of nothing but controls is empty (422).
Title = Annotated[
    str,
    BeforeValidator(_cleaned),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_LENGTH),
]


class VideoOut(BaseModel):
    id: PydanticObjectId
    title: str
    filename: str
    content_type: str = Field(description="Sniffed from the file's first bytes")
    size: int = Field(description="Bytes")
    created_at: datetime
    stream_url: str = Field(
        description=(
            "Path of the byte stream with a short-lived token scoped to this video, "
            "usable as <video src> without an Authorization header"
        )
    )
    status: VideoStatus = Field(
        description="processing until the worker has probed it (and made a playable copy "
        "if browsers need one); failed with processing_error saying why"
    )
    processing_error: str | None = Field(description="Why processing failed; null otherwise")
    progress: int = Field(ge=0, le=100, description="Processing progress, percent")
    duration_seconds: float | None = Field(description="Null until probed")
    width: int | None = Field(description="Display width in pixels (rotation applied)")
    height: int | None = Field(description="Display height in pixels (rotation applied)")
    video_codec: str | None
    audio_codec: str | None = Field(description="Null without an audio track, or until probed")
    playback_url: str | None = Field(
        description="Like stream_url, for bytes every current browser plays: the original when "
        "it plays as it is, else its H.264/AAC copy; null until known to exist"
    )
    poster_url: str | None = Field(description="A still from the video (WebP); null until made")
    storyboard_url: str | None = Field(
        description="The seek-bar preview's index (JSON, with its sprite's URL); null until made"
    )


class StoryboardOut(BaseModel):
    """Seek-bar previews: tile i shows the video at i * interval_seconds.

    Tiles are laid out row by row in the sprite, `columns` to a row; tile i is
    at x = (i mod columns) * tile_width, y = (i div columns) * tile_height.
    """

    sprite_url: str = Field(description="The sprite image (WebP), tokenised like stream_url")
    sprite_content_type: str
    tile_width: int
    tile_height: int
    columns: int
    rows: int
    count: int = Field(description="Tiles in the sprite")
    interval_seconds: float


class VideoPage(BaseModel):
    items: list[VideoOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page"
    )


class VideoRename(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title


# The upload body, declared for OpenAPI only: the route parses it as a stream.
UPLOAD_REQUEST_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "title": "VideoUpload",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "The video (MP4, QuickTime, WebM, Matroska, Ogg or AVI)",
                    },
                    "title": {
                        "type": "string",
                        "maxLength": MAX_TITLE_LENGTH,
                        "description": "Defaults to the file name without its extension",
                    },
                },
            }
        }
    },
}
