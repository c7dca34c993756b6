"""Real video files for tests, encoded with PyAV (FFmpeg) at fixture time."""

import io
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


def encode_video(kind: str = "mp4", seconds: float = 1.0, fps: int = 24, size: int = 64) -> bytes:
    """A small real video: a moving gradient, `seconds` long."""
    container_format, codec, pix_fmt = FORMATS[kind]
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container_format) as container:
        stream = container.add_stream(codec, rate=fps)
        assert isinstance(stream, av.VideoStream)
        stream.width = stream.height = size
        stream.pix_fmt = pix_fmt
        stream.time_base = Fraction(1, fps)
        for index in range(max(1, int(seconds * fps))):
            frame = av.VideoFrame.from_ndarray(_gradient(index, size), format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def _gradient(index: int, size: int) -> np.ndarray:
    ramp = (np.arange(size, dtype=np.uint16) * 4 + index * 8) % 256
    image = np.zeros((size, size, 3), dtype=np.uint8)
    image[..., 0] = ramp[None, :]
    image[..., 1] = ramp[:, None]
    image[..., 2] = 255 - ramp[None, :]
    # A band of seeded noise keeps the encoder busy, so files have a realistic size.
    noise = np.random.default_rng(index).integers(0, 256, (size // 4, size, 3), dtype=np.uint8)
    image[: size // 4] = noise
    return image
