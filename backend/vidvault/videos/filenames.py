"""Client file names: sanitized on the way in, safely encoded on the way out."""

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

MAX_FILENAME_LENGTH = 255
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/]')


def sanitize_filename(raw: str | None, extension: str) -> str:
    """A display name without paths, control characters or quotes; never empty."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]  # drop any client-side directories
    name = _UNSAFE.sub("", name).strip().lstrip(".")
    name = name[:MAX_FILENAME_LENGTH].strip()
    return name or f"video{extension}"


def default_title(filename: str) -> str:
    return PurePosixPath(filename).stem.strip() or "Untitled video"


def content_disposition(filename: str, *, attachment: bool) -> str:
    """RFC 6266: an ASCII fallback plus the exact name in RFC 8187 `filename*`."""
    kind = "attachment" if attachment else "inline"
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    fallback = _UNSAFE.sub("_", fallback)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
