"""The tus 1.0 protocol's vocabulary: versions, extensions, headers and their syntax.

https://tus.io/protocols/resumable-upload (core, creation,
creation-with-upload, termination, expiration).
"""

import base64
import binascii
from datetime import UTC, datetime
from email.utils import format_datetime

from vidvault.uploads.exceptions import InvalidTusRequest, TusVersionUnsupported

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,creation-with-upload,termination,expiration"
OFFSET_OCTET_STREAM = "application/offset+octet-stream"
# Headers a browser client sends and reads across origins.
REQUEST_HEADERS = ["Tus-Resumable", "Upload-Length", "Upload-Metadata", "Upload-Offset"]
RESPONSE_HEADERS = [
    "Tus-Resumable",
    "Tus-Version",
    "Tus-Extension",
    "Tus-Max-Size",
    "Upload-Offset",
    "Upload-Length",
    "Upload-Expires",
    "Upload-Metadata",
]
MAX_METADATA_PAIRS = 16


def require_version(tus_resumable: str | None) -> None:
    """Every request but OPTIONS names the protocol version it speaks (412 otherwise)."""
    if tus_resumable != TUS_VERSION:
        raise TusVersionUnsupported(headers={"Tus-Version": TUS_VERSION})


def parse_metadata(header: str | None) -> dict[str, str]:
    """`key base64value,key2 base64value2`: the values decoded as UTF-8 text."""
    metadata: dict[str, str] = {}
    pairs = [pair.strip() for pair in (header or "").split(",") if pair.strip()]
    if len(pairs) > MAX_METADATA_PAIRS:
        raise InvalidTusRequest(f"Upload-Metadata has more than {MAX_METADATA_PAIRS} pairs")
    for pair in pairs:
        key, _, encoded = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as error:
            raise InvalidTusRequest(
                f"Upload-Metadata value of {key[:40]!r} is not base64-encoded UTF-8"
            ) from error
    return metadata


def parse_length(name: str, value: str | None) -> int:
    """A non-negative integer header (Upload-Length, Upload-Offset)."""
    if value is None or not value.isascii() or not value.isdigit():
        raise InvalidTusRequest(f"{name} must be a non-negative integer")
    return int(value)


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)
