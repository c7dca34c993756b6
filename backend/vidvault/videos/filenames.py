"""Client file names: sanitized on the way in, safely encoded on the way out."""

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

MAX_FILENAME_LENGTH = 255
# Characters that change how the text around them is shown without being seen:
# C0 and C1 controls, and the bidirectional marks, embeddings, overrides and
# isolates. "evil\u202egpj.mp4" would show as "evil4pm.jpg".
INVISIBLE_CONTROLS = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVISIBLE = re.compile(f"[{INVISIBLE_CONTROLS}]")
_UNSAFE = re.compile(f'[{INVISIBLE_CONTROLS}"\\\\/]')


def strip_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text)


def clean_title(raw: str) -> str:
    """A title as shown and stored: NFC, without invisible controls or outer spaces."""
    return strip_invisible(unicodedata.normalize("NFC", raw)).strip()


def sanitize_filename(raw: str | None, extension: str) -> str:
    """A display name without paths, invisible controls (bidi included) or quotes; never empty."""
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
