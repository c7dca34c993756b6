"""HTTP semantics of the stream (RFC 9110): validators, conditionals and ranges.

All decided before a byte is sent, so every outcome can still be a status code.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from bson import ObjectId
from starlette.datastructures import Headers
from starlette.responses import Response

from vidvault.core.database import Database
from vidvault.videos.filenames import content_disposition
from vidvault.videos.models import Video
from vidvault.videos.ranges import ByteRange, parse_range
from vidvault.videos.streaming import StoredRangeResponse

# Private: the URL carries a token and the bytes belong to one user.
CACHE_CONTROL = "private, max-age=3600"


@dataclass(frozen=True, slots=True)
class ServedFile:
    """A stored video file as the stream answers for it: the original or the playable copy."""

    file_id: ObjectId
    size: int
    chunk_size: int
    content_type: str
    filename: str
    modified_at: datetime

    @classmethod
    def original(cls, video: Video) -> "ServedFile":
        return cls(
            video.file_id,
            video.size,
            video.chunk_size,
            video.content_type,
            video.filename,
            video.created_at,
        )


def entity_tag(file: ServedFile) -> str:
    # A stored file never changes once written, so its id is a strong validator.
    return f'"{file.file_id}"'


def last_modified(file: ServedFile) -> str:
    return format_datetime(file.modified_at.astimezone(UTC), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison for If-None-Match (RFC 9110 section 13.1.2)."""
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag in candidates


def _if_range_holds(header: str, file: ServedFile) -> bool:
    """Strong comparison for If-Range: an exact entity tag or the exact date."""
    header = header.strip()
    if header.startswith(('"', "W/")):
        return header == entity_tag(file)
    try:
        date = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    return date.timestamp() == int(file.modified_at.timestamp())


def _requested_range(request_headers: Headers, file: ServedFile) -> ByteRange | None:
    range_header = request_headers.get("range")
    if_range = request_headers.get("if-range")
    if range_header is None or (if_range is not None and not _if_range_holds(if_range, file)):
        return None
    return parse_range(range_header, file.size)


def not_modified(request_headers: Headers, etag: str) -> bool:
    if_none_match = request_headers.get("if-none-match")
    return if_none_match is not None and _etag_matches(if_none_match, etag)


def stream_response(
    file: ServedFile,
    request_headers: Headers,
    database: Database,
    *,
    download: bool,
    send_body: bool,
    cache_control: str = CACHE_CONTROL,
) -> Response:
    headers = {
        "accept-ranges": "bytes",
        "etag": entity_tag(file),
        "last-modified": last_modified(file),
        "cache-control": cache_control,
    }
    if not_modified(request_headers, entity_tag(file)):
        return Response(status_code=304, headers=headers)
    byte_range = _requested_range(request_headers, file)
    status_code = 206
    if byte_range is None:
        byte_range, status_code = ByteRange(0, file.size - 1), 200
    else:
        headers["content-range"] = byte_range.content_range(file.size)
    headers["content-disposition"] = content_disposition(file.filename, attachment=download)
    return StoredRangeResponse(
        database.storage,
        file.file_id,
        file.chunk_size,
        byte_range,
        status_code=status_code,
        headers=headers,
        media_type=file.content_type,
        send_body=send_body,
    )
