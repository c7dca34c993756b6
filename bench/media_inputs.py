"""The real videos the media bench feeds the product, made with PyAV (the product's FFmpeg).

- `phone_mp4`: an H.264/AAC MP4 as a phone records it: 1080p at 30 frames/s,
  16-20 Mbit/s, a keyframe every second, the moov (the index) at the end
  of the file, where a recorder writes it once recording stops (Android's
  MediaMuxer does); x264 lands near 20 Mbit/s on this noisy clip. Encoding
  1 GiB would take many minutes here, so a clip of 64 frames (2.13 s,
  exactly 100 AAC frames of sound) is encoded once and its packets are
  written again and again with shifted timestamps until the file reaches
  the wanted size: every repetition starts with an IDR frame and shares the
  clip's parameter sets, so the result is one valid stream.
- `avi_clip`: MPEG-4 Part 2 video with MP3 sound in AVI, which browsers do
  not play, so the worker makes an H.264 copy of it: the transcode input.

Frames are a moving gradient with noise (tests/media.py), so that encoders
work as on camera footage and posters are not blank.
"""

from __future__ import annotations  # av.Packet is generic to mypy only

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.packet import Packet
from av.stream import Stream
from procs import BACKEND  # noqa: F401  (puts the backend on sys.path)

from tests.media import Clip, encode_clip

PHONE_FPS = 30
PHONE_CLIP_FRAMES = 64  # 64 / 30 s = 102,400 samples at 48 kHz = 100 AAC frames
PHONE_BIT_RATE = 16_000_000
AUDIO_RATE = 48_000


def _phone_clip(path: Path) -> None:
    clip = Clip(
        "mp4",
        "libx264",
        seconds=PHONE_CLIP_FRAMES / PHONE_FPS,
        width=1920,
        height=1080,
        fps=PHONE_FPS,
        audio_codec="aac",
        codec_options=(
            ("preset", "veryfast"),
            ("b", str(PHONE_BIT_RATE)),
            ("g", str(PHONE_FPS)),  # a keyframe every second
            ("profile", "high"),
        ),
    )
    path.write_bytes(encode_clip(clip))


@dataclass(frozen=True, slots=True)
class _Sample:
    stream: int
    dts: int
    pts: int
    keyframe: bool
    data: bytes


def _samples(path: Path) -> tuple[list[_Sample], dict[int, Fraction]]:
    """Every packet of the clip, in file order, and each stream's span in its time base."""
    with av.open(str(path)) as source:
        spans = {
            s.index: Fraction(PHONE_CLIP_FRAMES, PHONE_FPS) / s.time_base for s in source.streams
        }
        samples = [
            _Sample(p.stream.index, p.dts, p.pts, p.is_keyframe, bytes(p))
            for p in source.demux()
            if p.size and p.dts is not None and p.pts is not None
        ]
        return samples, spans


def phone_mp4(path: Path, size: int, workdir: Path) -> dict[str, Any]:
    """At least `size` bytes of phone-like MP4 at `path`; returns what it is."""
    clip = workdir / "phone-clip.mp4"
    if not clip.exists():
        _phone_clip(clip)
    samples, spans = _samples(clip)
    repeats = max(1, math.ceil(size / sum(len(s.data) for s in samples)))
    last_dts: dict[int, int] = {}
    with av.open(str(clip)) as source, av.open(str(path), mode="w", format="mp4") as output:
        # No faststart: the moov goes last.
        streams = {s.index: output.add_stream_from_template(s) for s in source.streams}
        for repeat in range(repeats):
            for sample in samples:
                shift = int(spans[sample.stream] * repeat)
                if sample.dts + shift <= last_dts.get(sample.stream, -(2**62)):
                    continue  # the AAC priming frame overlaps the previous repetition's end
                last_dts[sample.stream] = sample.dts + shift
                output.mux(_packet(sample, shift, streams[sample.stream]))
    return {
        "bytes": path.stat().st_size,
        "seconds": round(repeats * PHONE_CLIP_FRAMES / PHONE_FPS, 2),
        "kind": "H.264 High 1080p30 + AAC, a keyframe every second, moov at the end",
    }


def _packet(sample: _Sample, shift: int, stream: Stream) -> Packet[Any]:
    packet = Packet(sample.data)
    packet.dts, packet.pts = sample.dts + shift, sample.pts + shift
    packet.is_keyframe = sample.keyframe
    packet.stream = stream
    packet.time_base = stream.time_base
    return packet


def avi_clip(path: Path, seconds: float, width: int, height: int) -> dict[str, Any]:
    """MPEG-4 Part 2 + MP3 in AVI, `seconds` long, at a camcorder-like bit rate."""
    clip = Clip(
        "avi",
        "mpeg4",
        seconds=seconds,
        width=width,
        height=height,
        fps=30,
        audio_codec="libmp3lame",
        codec_options=(("b", str(width * height * 4)),),  # 3.7 Mbit/s at 720p, 8.3 at 1080p
    )
    path.write_bytes(encode_clip(clip))
    return {
        "bytes": path.stat().st_size,
        "seconds": seconds,
        "kind": f"MPEG-4 Part 2 {height}p30 + MP3 in AVI",
    }
