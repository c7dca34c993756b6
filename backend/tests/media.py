"""Real video files for tests, encoded with PyAV (FFmpeg) at fixture time."""

import io
import os
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

# container format, codec, pixel format
FORMATS = {
    "mp4": ("mp4", "mpeg4", "yuv420p"),
    "webm": ("webm", "libvpx", "yuv420p"),
    "mkv": ("matroska", "mpeg4", "yuv420p"),
    "avi": ("avi", "mpeg4", "yuv420p"),
    "mov": ("mov", "mpeg4", "yuv420p"),
}

# What the upload path must recognise each container as, from its bytes alone.
SNIFFED_CONTENT_TYPES = [
    ("mp4", "video/mp4"),
    ("mov", "video/quicktime"),
    ("webm", "video/webm"),
    ("mkv", "video/x-matroska"),
    ("avi", "video/x-msvideo"),
]


@dataclass(frozen=True)
class Clip:
    """What to encode: a moving gradient with a band of noise, optionally with a tone."""

    container: str
    codec: str
    seconds: float = 1.0
    width: int = 64
    height: int = 64
    fps: int = 24
    pix_fmt: str = "yuv420p"
    audio_codec: str | None = None
    codec_options: tuple[tuple[str, str], ...] = ()
    rotation: int = 0  # display matrix, degrees
    noise: bool = True  # without it, long clips stay small


def encode_video(kind: str = "mp4", seconds: float = 1.0, fps: int = 24, size: int = 64) -> bytes:
    """A small real video: a moving gradient, `seconds` long."""
    container_format, codec, pix_fmt = FORMATS[kind]
    frames_seconds = max(seconds, 1 / fps)
    return encode_clip(Clip(container_format, codec, frames_seconds, size, size, fps, pix_fmt))


def encode_clip(clip: Clip, *, video: bool = True) -> bytes:
    """The clip as a file; `seconds=0` gives a video stream without a single frame."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=clip.container) as container:
        stream = _video_stream(container, clip) if video else None
        audio = _audio_stream(container, clip.audio_codec)
        container.start_encoding()  # the header, even if not one frame follows
        if stream is not None:
            _frames(container, stream, clip)
        if audio is not None:
            _tone(container, audio, clip.seconds)
    return buffer.getvalue()


def _video_stream(container: av.container.OutputContainer, clip: Clip) -> av.VideoStream:
    stream = container.add_stream(clip.codec, rate=clip.fps, options=dict(clip.codec_options))
    assert isinstance(stream, av.VideoStream)
    stream.width, stream.height = clip.width, clip.height
    stream.pix_fmt = clip.pix_fmt
    stream.time_base = Fraction(1, clip.fps)
    if clip.rotation:
        stream.set_display_rotation(clip.rotation)
    return stream


def _frames(container: av.container.OutputContainer, stream: av.VideoStream, clip: Clip) -> None:
    for index in range(round(clip.seconds * clip.fps)):
        image = _gradient(index, clip.width, clip.height, noise=clip.noise)
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts = index
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def _audio_stream(
    container: av.container.OutputContainer, codec: str | None
) -> av.AudioStream | None:
    if codec is None:
        return None
    stream = container.add_stream(codec, rate=48000)
    assert isinstance(stream, av.AudioStream)
    stream.layout = "stereo"
    return stream


def _tone(container: av.container.OutputContainer, stream: av.AudioStream, seconds: float) -> None:
    rate, samples_per_frame = 48000, 1024
    total = int(seconds * rate)
    for start in range(0, total, samples_per_frame):
        t = (np.arange(start, start + samples_per_frame) / rate).astype(np.float32)
        wave = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        planes = np.stack([wave, wave])
        frame = av.AudioFrame.from_ndarray(planes, format="fltp", layout="stereo")
        frame.sample_rate = rate
        frame.pts = start
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def _gradient(index: int, width: int, height: int, *, noise: bool = True) -> np.ndarray:
    ramp_x = (np.arange(width, dtype=np.uint16) * 4 + index * 8) % 256
    ramp_y = (np.arange(height, dtype=np.uint16) * 4 + index * 8) % 256
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[..., 0] = ramp_x[None, :]
    image[..., 1] = ramp_y[:, None]
    image[..., 2] = 255 - ramp_x[None, :]
    if noise:
        # A band of seeded noise keeps the encoder busy, so files have a realistic size.
        band = np.random.default_rng(index).integers(
            0, 256, (height // 4, width, 3), dtype=np.uint8
        )
        image[: height // 4] = band
    return image


def padded_mp4(mp4: bytes, total: int) -> bytes:
    """The MP4 grown to `total` bytes by a trailing `free` box: still a valid MP4."""
    padding = total - len(mp4)
    assert padding >= 8
    return mp4 + padding.to_bytes(4, "big") + b"free" + os.urandom(padding - 8)
