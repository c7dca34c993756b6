"""Still images from a video: the poster and the storyboard sprite.

Both are made from keyframes reached by seeking, so a poster of a large
file reads the index and one group of pictures, never the whole file.
"""

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
from av.container import InputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from vidvault.media.errors import NO_DECODABLE_FRAME, MediaRejected

type Progress = Callable[[float], None]

POSTER_WIDTH = 640
POSTER_AT = 0.1  # of the duration: past intros and fades from black
# Where to look next when the frame there is black or flat, in order.
POSTER_FALLBACKS = (0.25, 0.5, 0.75)
DULL_MEAN_LUMA = (24, 232)  # a frame darker or brighter than this on average is "blank"
DULL_LUMA_SPREAD = 10.0  # a frame with less contrast than this is "flat"
# How far past the wanted time a keyframe may be looked for: beyond it, the
# keyframe before the wanted time is used (a file with very long GOPs).
KEYFRAME_SEARCH_SECONDS = 20.0

STORYBOARD_TILES = 100
STORYBOARD_MIN_INTERVAL = 0.5  # seconds: a short clip gets fewer tiles, not repeats
STORYBOARD_COLUMNS = 10
TILE_WIDTH = 160
# Up to this duration the storyboard decodes every frame (exact times, cheap
# for a short clip); longer videos are sampled by seeking to keyframes.
SEQUENTIAL_STORYBOARD_SECONDS = 30.0

IMAGE_CODEC = "libwebp"
IMAGE_TYPE = "image/webp"
IMAGE_QUALITY = "80"


@dataclass(frozen=True, slots=True)
class Picture:
    data: bytes
    width: int
    height: int
    content_type: str = IMAGE_TYPE


@dataclass(frozen=True, slots=True)
class Storyboard:
    sprite: Picture
    tile_width: int
    tile_height: int
    columns: int
    rows: int
    count: int
    interval_seconds: float


def even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _seconds(frame: VideoFrame) -> float:
    return float(frame.time) if frame.time is not None else 0.0


def _luma(frame: VideoFrame) -> np.ndarray:
    return frame.reformat(width=64, height=36, format="gray").to_ndarray()


def interest(frame: VideoFrame) -> float:
    """How much a frame shows: its contrast, or 0 for a black, white or flat one."""
    luma = _luma(frame).astype(np.float32)
    low, high = DULL_MEAN_LUMA
    if not low <= float(luma.mean()) <= high:
        return 0.0
    spread = float(luma.std())
    return spread if spread >= DULL_LUMA_SPREAD else 0.0


def _keyframes_only(stream: VideoStream) -> None:
    stream.codec_context.skip_frame = "NONKEY"


def _seek(container: InputContainer, stream: VideoStream, seconds: float) -> None:
    """To the keyframe at or before `seconds`."""
    assert stream.time_base is not None
    start = stream.start_time or 0
    container.seek(start + int(seconds / stream.time_base), stream=stream, backward=True)


def _decoded(container: InputContainer, stream: VideoStream) -> Iterator[VideoFrame]:
    try:
        yield from container.decode(stream)
    except av.FFmpegError:
        return  # a damaged tail: what was decoded before it still counts


def keyframe_near(
    container: InputContainer, stream: VideoStream, seconds: float
) -> VideoFrame | None:
    """The first keyframe at or after `seconds`, else the last one before it."""
    _seek(container, stream, seconds)
    before: VideoFrame | None = None
    for frame in _decoded(container, stream):
        if _seconds(frame) >= seconds - 1e-3:
            return frame
        before = frame
        if _seconds(frame) > seconds + KEYFRAME_SEARCH_SECONDS:
            break
    return before


def choose_poster_frame(
    container: InputContainer, stream: VideoStream, duration: float
) -> VideoFrame:
    """A keyframe about 10% in; if it is blank, a better one further on."""
    _keyframes_only(stream)
    best: tuple[float, VideoFrame] | None = None
    for fraction in (POSTER_AT, *POSTER_FALLBACKS):
        frame = keyframe_near(container, stream, duration * fraction)
        if frame is None:
            continue
        score = interest(frame)
        if best is None or score > best[0]:
            best = (score, frame)
        if score > 0:
            break
    if best is None:
        frame = _first_frame(container, stream)
        best = (0.0, frame)
    return best[1]


def _first_frame(container: InputContainer, stream: VideoStream) -> VideoFrame:
    stream.codec_context.skip_frame = "DEFAULT"
    container.seek(0)
    for frame in _decoded(container, stream):
        return frame
    raise MediaRejected(NO_DECODABLE_FRAME)


def _rgb(frame: VideoFrame, width: int, height: int, rotation: int) -> np.ndarray:
    """The frame as shown: turned upright, then at the given display size."""
    turned = rotation in {90, 270}
    coded_width, coded_height = (height, width) if turned else (width, height)
    image = frame.reformat(width=coded_width, height=coded_height, format="rgb24").to_ndarray()
    # The display matrix turns counter-clockwise; rot90's k counts quarter turns the same way.
    return np.ascontiguousarray(np.rot90(image, k=rotation // 90)) if rotation else image


def encode_image(image: np.ndarray) -> Picture:
    height, width = image.shape[:2]
    context = av.CodecContext.create(IMAGE_CODEC, "w")
    assert isinstance(context, av.VideoCodecContext)
    context.width, context.height = width, height
    context.pix_fmt = "yuv420p"
    context.time_base = Fraction(1, 1)
    context.options = {"quality": IMAGE_QUALITY}
    frame = VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
    frame.pts = 0
    packets = [*context.encode(frame), *context.encode(None)]
    return Picture(b"".join(bytes(packet) for packet in packets), width, height)


def poster(
    container: InputContainer, stream: VideoStream, duration: float, coded: tuple[int, int]
) -> tuple[Picture, int]:
    """The poster, at most 640 px wide, and the rotation its frame carries for display."""
    frame = choose_poster_frame(container, stream, duration)
    rotation = round(frame.rotation / 90) * 90 % 360 if frame.rotation else 0
    width, height = coded
    if rotation in {90, 270}:
        width, height = height, width
    scaled_width = min(POSTER_WIDTH, even(width))
    scaled_height = even(scaled_width * height / width)
    return encode_image(_rgb(frame, scaled_width, scaled_height, rotation)), rotation


def storyboard_times(duration: float) -> list[float]:
    count = max(1, min(STORYBOARD_TILES, math.floor(duration / STORYBOARD_MIN_INTERVAL)))
    interval = duration / count
    return [index * interval for index in range(count)]


def _sampled_by_decoding(
    container: InputContainer, stream: VideoStream, times: list[float], progress: Progress
) -> Iterator[VideoFrame]:
    stream.codec_context.skip_frame = "DEFAULT"
    container.seek(0)
    wanted = iter(times)
    target = next(wanted, None)
    last: VideoFrame | None = None
    done = 0
    for frame in _decoded(container, stream):
        last = frame
        while target is not None and _seconds(frame) >= target - 1e-3:
            yield frame
            done += 1
            progress(done / len(times))
            target = next(wanted, None)
        if target is None:
            return
    while target is not None and last is not None:  # times past the last decodable frame
        yield last
        target = next(wanted, None)


def _sampled_by_seeking(
    container: InputContainer, stream: VideoStream, times: list[float], progress: Progress
) -> Iterator[VideoFrame]:
    _keyframes_only(stream)
    previous: VideoFrame | None = None
    for index, seconds in enumerate(times):
        frame = keyframe_near(container, stream, seconds) or previous
        if frame is None:
            raise MediaRejected(NO_DECODABLE_FRAME)
        previous = frame
        progress((index + 1) / len(times))
        yield frame


def storyboard(
    container: InputContainer,
    stream: VideoStream,
    duration: float,
    display: tuple[int, int],
    rotation: int,
    progress: Progress,
) -> Storyboard:
    """About 100 frames spread evenly over the video, tiled into one sprite."""
    times = storyboard_times(duration)
    width, height = display
    tile_height = even(TILE_WIDTH * height / width)
    columns = min(STORYBOARD_COLUMNS, len(times))
    rows = math.ceil(len(times) / columns)
    sheet = np.zeros((rows * tile_height, columns * TILE_WIDTH, 3), dtype=np.uint8)
    sample = (
        _sampled_by_decoding if duration <= SEQUENTIAL_STORYBOARD_SECONDS else _sampled_by_seeking
    )
    count = 0
    for index, frame in enumerate(sample(container, stream, times, progress)):
        row, column = divmod(index, columns)
        tile = _rgb(frame, TILE_WIDTH, tile_height, rotation)
        y, x = row * tile_height, column * TILE_WIDTH
        sheet[y : y + tile_height, x : x + TILE_WIDTH] = tile
        count = index + 1
    if count == 0:
        raise MediaRejected(NO_DECODABLE_FRAME)
    return Storyboard(
        sprite=encode_image(sheet),
        tile_width=TILE_WIDTH,
        tile_height=tile_height,
        columns=columns,
        rows=rows,
        count=count,
        interval_seconds=round(duration / len(times), 3),
    )
