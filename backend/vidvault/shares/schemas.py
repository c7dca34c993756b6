from datetime import UTC, datetime

from beanie import PydanticObjectId
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator


class ShareCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_at: AwareDatetime | None = Field(
        default=None, description="When the link stops working (with a time zone); null: never"
    )

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value <= datetime.now(UTC):
            raise ValueError("expires_at must be in the future")
        return value


class ShareOut(BaseModel):
    id: PydanticObjectId
    token: str = Field(description="The secret part of the link")
    url: str = Field(
        description="The page to send: PUBLIC_WEB_URL + /s/{token} (a path when that is unset)"
    )
    created_at: datetime
    expires_at: datetime | None


class SharedVideoOut(BaseModel):
    """What a link shows: the video, nothing about whose it is."""

    title: str
    content_type: str
    size: int
    duration_seconds: float | None
    created_at: datetime
    expires_at: datetime | None = Field(description="When this link stops working; null: never")
    playback_url: str = Field(description="The playable bytes, with ranges; needs no header")
    poster_url: str | None
    storyboard_url: str | None
