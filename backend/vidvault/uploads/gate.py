"""The upload gate: the rules every upload passes, whichever route brings it.

Size and quota (413), type (415) and title (422) are each checked once,
here, for the multipart upload and for resumable uploads alike. The size is
counted once, on the file's bytes as they arrive; a length declared up front
(a Content-Length, an Upload-Length) is refused before a byte is read.
"""

from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError

from vidvault.accounts.quota import Quota
from vidvault.uploads.exceptions import InvalidTitle, NotAVideo, UploadTooLarge
from vidvault.uploads.sniffing import VideoType, sniff_video_type
from vidvault.videos.schemas import Title

_TITLE = TypeAdapter(Title)


@dataclass(slots=True)
class UploadGate:
    max_bytes: int  # the most this upload may store (MAX_UPLOAD_BYTES, or what is left of it)
    quota: Quota | None = None  # the owner's storage quota, if there is one
    received: int = 0

    def declare(self, at_least: int) -> None:
        """Refuse, before reading, an upload announced as at least `at_least` bytes."""
        self._check(at_least)

    def count(self, size: int) -> None:
        """Count `size` more bytes of the file; refuse once they pass the limit."""
        self.received += size
        self._check(self.received)

    def _check(self, total: int) -> None:
        if total > self.max_bytes:
            raise UploadTooLarge(self.max_bytes)
        if self.quota is not None and total > self.quota.room:
            raise self.quota.refuse()


def video_type(head: bytes) -> VideoType:
    """The container type sniffed from the file's first bytes; 415 for anything else."""
    found = sniff_video_type(head)
    if found is None:
        raise NotAVideo
    return found


def title(raw: str | None) -> str | None:
    """The title as stored (the same rule as a rename), or None for blank: 422 if too long."""
    if raw is None or not raw.strip():
        return None
    try:
        return _TITLE.validate_python(raw)
    except ValidationError as error:
        raise InvalidTitle from error
