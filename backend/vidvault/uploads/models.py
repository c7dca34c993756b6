from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from vidvault.auth.models import utc_now


class Upload(Document):
    """A resumable upload in progress.

    Its bytes are the unfinished stored file with the same id, and the video
    it becomes will have that id too. `offset` is how many bytes are stored;
    `lock` is held by the one request appending to it, until `lock_until`
    (renewed while the request runs, so a process that dies lets go).
    """

    owner_id: PydanticObjectId
    length: int
    offset: int = 0
    chunk_size: int
    client_filename: str | None = None
    title: str | None = None
    content_type: str | None = None  # sniffed from the first bytes, once they are in
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime
    lock: str | None = None
    lock_until: datetime | None = None

    @property
    def complete(self) -> bool:
        return self.offset == self.length

    class Settings:
        name = "uploads"
        indexes = [IndexModel([("expires_at", ASCENDING)], name="expires_at")]
