from datetime import datetime
from typing import Annotated

from beanie import PydanticObjectId
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from vidvault.videos.filenames import clean_title

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
