"""The child process that does one step's media work (see task.py).

Run by the worker as `python -m vidvault.media.child` with the task as JSON
in its first argument. The event loop owns the database connection; FFmpeg
runs in a thread and reads the original through a blocking file whose reads
hop back to the loop.
"""

import asyncio
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
from bson import ObjectId
from pymongo import AsyncMongoClient

from vidvault.media import frames, playback, probe
from vidvault.media.errors import NO_DECODABLE_FRAME, MediaRejected, plainly
from vidvault.media.source import PROBE_BLOCK_BYTES, SEQUENTIAL_BLOCK_BYTES, StoredFileReader
from vidvault.media.steps import Step
from vidvault.media.task import (
    DATABASE_NAME_VARIABLE,
    DATABASE_URL_VARIABLE,
    ImageOutput,
    InspectResult,
    StepMessage,
    StepTask,
    StoryboardOutput,
    TranscodeResult,
)
from vidvault.storage import FileStorage

DB_TIMEOUT_MS = 10_000
PROGRESS_STEP = 0.01  # report progress in steps of 1%
ORPHANED_EXIT = 3
STDIN_FD = 0
WATCH_READ_BYTES = 65536


def _say(message: StepMessage) -> None:
    sys.stdout.write(message.model_dump_json(exclude_unset=True) + "\n")
    sys.stdout.flush()


def _progress_reporter() -> Callable[[float], None]:
    last = -1.0

    def report(fraction: float) -> None:
        nonlocal last
        if fraction - last >= PROGRESS_STEP:
            last = fraction
            _say(StepMessage(progress=round(fraction, 3)))

    return report


def _save(picture: frames.Picture, path: Path) -> ImageOutput:
    path.write_bytes(picture.data)
    return ImageOutput(
        path=path, content_type=picture.content_type, width=picture.width, height=picture.height
    )


def inspect(task: StepTask, reader: StoredFileReader) -> InspectResult:
    report = _progress_reporter()
    with probe.open_input(reader, task.content_type) as container:
        info = probe.probe(container, task.content_type, task.max_duration_seconds)
        stream = probe.video_stream(container)
        poster, rotation = frames.poster(
            container, stream, info.duration_seconds, (info.width, info.height)
        )
        info = probe.with_rotation(info, rotation)
        report(0.2)
        board = frames.storyboard(
            container,
            stream,
            info.duration_seconds,
            (info.width, info.height),
            rotation,
            lambda fraction: report(0.2 + 0.8 * fraction),
        )
    return InspectResult(
        probe=info,
        plays_in_browsers=playback.plays_in_browsers(info),
        poster=_save(poster, task.workdir / "poster.webp"),
        storyboard=StoryboardOutput(
            sprite=_save(board.sprite, task.workdir / "storyboard.webp"),
            tile_width=board.tile_width,
            tile_height=board.tile_height,
            columns=board.columns,
            rows=board.rows,
            count=board.count,
            interval_seconds=board.interval_seconds,
        ),
    )


def transcode(task: StepTask, reader: StoredFileReader) -> TranscodeResult:
    destination = task.workdir / "playback.mp4"
    with probe.open_input(reader, task.content_type) as container:
        info = probe.probe(container, task.content_type, task.max_duration_seconds)
        # The rotation is on the frames; the copy carries it as a display matrix.
        first = next(container.decode(probe.video_stream(container)), None)
        if first is None:
            raise MediaRejected(NO_DECODABLE_FRAME)
        info = probe.with_rotation(info, round((first.rotation or 0) / 90) * 90 % 360)
        container.seek(0)
        playback.make_copy(container, destination, info, _progress_reporter(), task.threads)
    return TranscodeResult(path=destination, content_type=playback.COPY_CONTENT_TYPE)


def run_step(task: StepTask, reader: StoredFileReader) -> StepMessage:
    try:
        if task.step is Step.INSPECT:
            return StepMessage(inspected=inspect(task, reader), bytes_read=reader.bytes_fetched)
        return StepMessage(transcoded=transcode(task, reader), bytes_read=reader.bytes_fetched)
    except MediaRejected as rejection:
        return StepMessage(rejected=rejection.reason, bytes_read=reader.bytes_fetched)
    except av.FFmpegError as error:
        reason = f"The video could not be read to the end: it is damaged ({plainly(error)})"
        return StepMessage(rejected=reason, bytes_read=reader.bytes_fetched)


async def _fetch_range(storage: FileStorage, task: StepTask, start: int, end: int) -> bytes:
    reader = storage.read_range(ObjectId(task.file_id), task.chunk_size, start, end - 1)
    async with reader as pieces:
        return b"".join([piece async for piece in pieces])


async def main_async(task: StepTask) -> StepMessage:
    # The connection comes from the worker's environment, never from argv
    # (a URL can hold a password, and argv is visible to every local user).
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        os.environ[DATABASE_URL_VARIABLE], serverSelectionTimeoutMS=DB_TIMEOUT_MS, tz_aware=True
    )
    try:
        storage = FileStorage(client[os.environ[DATABASE_NAME_VARIABLE]], task.chunk_size)
        loop = asyncio.get_running_loop()

        def fetch(start: int, end: int) -> bytes:
            call = _fetch_range(storage, task, start, end)
            return asyncio.run_coroutine_threadsafe(call, loop).result()

        block = SEQUENTIAL_BLOCK_BYTES if task.step is Step.TRANSCODE else PROBE_BLOCK_BYTES
        reader = StoredFileReader(task.size, fetch, block)
        return await asyncio.to_thread(run_step, task, reader)
    finally:
        await client.close()


def _exit_when_orphaned() -> None:
    """The worker holds our stdin open; if it dies, stop at once instead of working on."""

    def watch() -> None:
        # Raw reads of fd 0, not sys.stdin.buffer: a daemon thread blocked in the
        # buffered reader holds its lock, and the interpreter aborts at exit
        # ("Fatal Python error: _enter_buffered_busy") when it flushes stdin.
        while os.read(STDIN_FD, WATCH_READ_BYTES):
            pass  # the worker never writes; whatever comes is not for us
        os._exit(ORPHANED_EXIT)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def main() -> None:
    _exit_when_orphaned()
    av.logging.set_level(av.logging.ERROR)
    task = StepTask.model_validate_json(sys.argv[1])
    _say(asyncio.run(main_async(task)))


if __name__ == "__main__":
    main()
