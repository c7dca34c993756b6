"""Open an upload with only the demuxer its type allows, and read what it holds."""

import io
from typing import Any

import av
from av.container import InputContainer
from av.video.stream import VideoStream
from pydantic import BaseModel, ConfigDict

from vidvault.media.errors import MediaRejected, plainly

# The one FFmpeg demuxer allowed for each accepted (sniffed) type: nothing in
# the file can make FFmpeg probe its way into another demuxer.
DEMUXERS = {
    "video/mp4": ("mov", "mp4"),
    "video/quicktime": ("mov", "mov"),
    "video/webm": ("matroska", "webm"),
    "video/x-matroska": ("matroska", "mkv"),
    "video/x-msvideo": ("avi", "avi"),
    "video/ogg": ("ogg", "ogg"),
}
MAX_FRAME_SIDE = 8192
# Decoders refuse any frame larger than this, including the ones FFmpeg
# decodes while it probes the streams.
MAX_FRAME_PIXELS = MAX_FRAME_SIDE * MAX_FRAME_SIDE
MICROSECONDS = 1_000_000


class MediaInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    container: str
    video_codec: str
    audio_codec: str | None
    duration_seconds: float
    width: int  # as displayed: rotation applied
    height: int
    frame_rate: float | None
    bit_rate: int | None
    rotation: int  # degrees the frames must be turned for display
    pixel_format: str | None

    def as_document(self) -> dict[str, Any]:
        """What the video document keeps (flat: the library sorts on duration)."""
        return self.model_dump(exclude={"rotation", "pixel_format"})


def open_input(file: io.IOBase, content_type: str) -> InputContainer:
    if content_type not in DEMUXERS:
        raise MediaRejected("The file is not in a container this library accepts")
    demuxer, _ = DEMUXERS[content_type]
    try:
        return av.open(
            file,
            mode="r",
            format=demuxer,
            options={"max_pixels": str(MAX_FRAME_PIXELS)},
            container_options={"format_whitelist": demuxer},
        )
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as error:
        raise MediaRejected(
            f"The file could not be read: it is damaged or incomplete ({plainly(error)})"
        ) from error


def video_stream(container: InputContainer) -> VideoStream:
    streams = [s for s in container.streams.video if not _is_cover_art(s)]
    if not streams:
        raise MediaRejected("The file has no video stream")
    return streams[0]


def _is_cover_art(stream: VideoStream) -> bool:
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _duration(container: InputContainer, stream: VideoStream) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / MICROSECONDS
    return 0.0


def check_frame_size(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise MediaRejected("The video stream has no frame size: it is damaged")
    if width > MAX_FRAME_SIDE or height > MAX_FRAME_SIDE:
        raise MediaRejected(
            f"The frame size {width}x{height} is over the limit of "
            f"{MAX_FRAME_SIDE}x{MAX_FRAME_SIDE}"
        )


def probe(container: InputContainer, content_type: str, max_duration: float) -> MediaInfo:
    """What the headers say, checked against the limits before any frame is decoded."""
    stream = video_stream(container)
    context = stream.codec_context
    check_frame_size(context.width, context.height)
    duration = _duration(container, stream)
    if duration <= 0:
        raise MediaRejected("The video stream is empty: it has no duration")
    if duration > max_duration:
        raise MediaRejected(
            f"The video lasts {duration:.0f} s, over the limit of {max_duration:.0f} s"
        )
    audio = container.streams.audio[0].codec_context.name if container.streams.audio else None
    rate = stream.average_rate or stream.guessed_rate
    return MediaInfo(
        container=DEMUXERS[content_type][1],
        video_codec=context.name,
        audio_codec=audio,
        duration_seconds=round(duration, 3),
        width=context.width,
        height=context.height,
        frame_rate=round(float(rate), 3) if rate else None,
        bit_rate=container.bit_rate or None,
        rotation=0,
        pixel_format=context.pix_fmt,
    )


def with_rotation(info: MediaInfo, rotation: int) -> MediaInfo:
    """The display size, once the first decoded frame has told the rotation."""
    if rotation in {90, 270}:
        return info.model_copy(
            update={"width": info.height, "height": info.width, "rotation": rotation}
        )
    return info.model_copy(update={"rotation": rotation})
