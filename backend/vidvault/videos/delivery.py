"""HTTP semantics of the stream (RFC 9110): validators, conditionals and ranges.

All decided before a byte is sent, so every outcome can still be a status code.
"""

from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime

from starlette.datastructures import Headers
from starlette.responses import Response

from vidvault.core.database import Database
from vidvault.videos.filenames import content_disposition
from vidvault.videos.models import Video
from vidvault.videos.ranges import ByteRange, parse_range
from vidvault.videos.streaming import StoredRangeResponse

# Private: the URL carries a token and the bytes belong to one user.
CACHE_CONTROL = "private, max-age=3600"


def entity_tag(video: Video) -> str:
    # A stored file never changes once written, so its id is a strong validator.
    return f'"{video.file_id}"'


def last_modified(video: Video) -> str:
    return format_datetime(video.created_at.astimezone(UTC), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison for If-None-Match (RFC 9110 section 13.1.2)."""
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag in candidates


def _if_range_holds(header: str, video: Video) -> bool:
    """Strong comparison for If-Range: an exact entity tag or the exact date."""
    header = header.strip()
    if header.startswith(('"', "W/")):
        return header == entity_tag(video)
    try:
        date = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    return date.timestamp() == int(video.created_at.timestamp())


def _requested_range(request_headers: Headers, video: Video) -> ByteRange | None:
    range_header = request_headers.get("range")
    if_range = request_headers.get("if-range")
    if range_header is None or (if_range is not None and not _if_range_holds(if_range, video)):
        return None
    return parse_range(range_header, video.size)


def stream_response(
    video: Video,
    request_headers: Headers,
    database: Database,
    *,
    download: bool,
    send_body: bool,
) -> Response:
    headers = {
        "accept-ranges": "bytes",
        "etag": entity_tag(video),
        "last-modified": last_modified(video),
        "cache-control": CACHE_CONTROL,
    }
    if_none_match = request_headers.get("if-none-match")
    if if_none_match is not None and _etag_matches(if_none_match, entity_tag(video)):
        return Response(status_code=304, headers=headers)
    byte_range = _requested_range(request_headers, video)
    status_code = 206
    if byte_range is None:
        byte_range, status_code = ByteRange(0, video.size - 1), 200
    else:
        headers["content-range"] = byte_range.content_range(video.size)
    headers["content-disposition"] = content_disposition(video.filename, attachment=download)
    return StoredRangeResponse(
        database.storage,
        video.file_id,
        video.chunk_size,
        byte_range,
        status_code=status_code,
        headers=headers,
        media_type=video.content_type,
        send_body=send_body,
    )
