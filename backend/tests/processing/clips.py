"""The real videos the processing tests upload, encoded once per session with PyAV."""

from dataclasses import dataclass
from functools import cache

from tests.media import Clip, encode_clip

QUIET_X265 = (("x265-params", "log-level=none"),)


@dataclass(frozen=True)
class Case:
    name: str
    clip: Clip
    filename: str
    needs_copy: bool  # browsers cannot play it as it is


# One of each kind the issue names; small, so the suite stays fast.
CASES = [
    Case("mp4-h264", Clip("mp4", "libx264", 2, 160, 90, audio_codec="aac"), "clip.mp4", False),
    Case(
        "webm-vp9",
        Clip("webm", "libvpx-vp9", 2, 160, 90, audio_codec="libopus"),
        "clip.webm",
        False,
    ),
    Case(
        "mov-hevc", Clip("mov", "libx265", 2, 160, 90, codec_options=QUIET_X265), "clip.mov", True
    ),
    Case("mkv-mpeg4", Clip("matroska", "mpeg4", 2, 160, 120), "clip.mkv", True),
    Case("avi-mpeg4", Clip("avi", "mpeg4", 2, 128, 96, audio_codec="mp2"), "clip.avi", True),
]


@cache
def clip_bytes(clip: Clip) -> bytes:
    return encode_clip(clip)
