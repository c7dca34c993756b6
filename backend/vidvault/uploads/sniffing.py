"""The container type of an upload, read from its first bytes, never from the client."""

from dataclasses import dataclass

SNIFF_BYTES = 64  # enough for every signature below, including the EBML DocType


@dataclass(frozen=True, slots=True)
class VideoType:
    content_type: str
    extension: str


MP4 = VideoType("video/mp4", ".mp4")
QUICKTIME = VideoType("video/quicktime", ".mov")
WEBM = VideoType("video/webm", ".webm")
MATROSKA = VideoType("video/x-matroska", ".mkv")
OGG = VideoType("video/ogg", ".ogv")
AVI = VideoType("video/x-msvideo", ".avi")

# ISO-BMFF brands that hold audio only: an `ftyp` box alone does not make a video.
_AUDIO_ONLY_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"


def _sniff_iso_bmff(head: bytes) -> VideoType | None:
    if head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand in _AUDIO_ONLY_BRANDS:
        return None
    return QUICKTIME if brand == b"qt  " else MP4


def _sniff_ebml(head: bytes) -> VideoType | None:
    if not head.startswith(_EBML_MAGIC):
        return None
    return WEBM if b"webm" in head[:SNIFF_BYTES] else MATROSKA


def _sniff_riff(head: bytes) -> VideoType | None:
    return AVI if head.startswith(b"RIFF") and head[8:12] == b"AVI " else None


def _sniff_ogg(head: bytes) -> VideoType | None:
    return OGG if head.startswith(b"OggS") else None


_SNIFFERS = (_sniff_iso_bmff, _sniff_ebml, _sniff_riff, _sniff_ogg)


def sniff_video_type(head: bytes) -> VideoType | None:
    """The video container `head` starts, or None when it is not one we accept."""
    for sniff in _SNIFFERS:
        if found := sniff(head):
            return found
    return None


_BY_CONTENT_TYPE = {kind.content_type: kind for kind in (MP4, QUICKTIME, WEBM, MATROSKA, OGG, AVI)}


def video_type_of(content_type: str) -> VideoType:
    """The type recorded earlier by its content type (a resumable upload keeps only that)."""
    return _BY_CONTENT_TYPE[content_type]
