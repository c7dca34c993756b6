"""Why a video cannot be processed, in words a person can act on."""


class MediaRejected(Exception):
    """The file itself is the problem: retrying would fail the same way."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


NO_DECODABLE_FRAME = "No frame of the video could be decoded: the file is damaged or empty"


def plainly(error: Exception) -> str:
    """FFmpeg's own words for what went wrong, without error numbers or file names."""
    text = getattr(error, "strerror", None) or str(error)
    return text[:1].lower() + text[1:]
