"""Probe plus poster of one stored video, as the worker's child does it, in its own process.

    python media_probe.py '{"url": ..., "db": ..., "file_id": ..., "size": ..., ...}'

The worker's own code path: `vidvault.media.child`'s range fetch over
`FileStorage.read_range`, its `StoredFileReader` with the probe block size,
then `probe.open_input`, `probe.probe` and `frames.poster` (the first part
of the inspect step). Bytes read from GridFS are counted at the storage
layer: every chunk batch the database returns, whole chunks included where
a block needs only part of one. Answers one JSON object on stdout.

With `"inspect": true` it then runs the whole inspect step (`child.main_async`:
probe, poster and the storyboard) on a fresh reader, for context.
"""

import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from procs import BACKEND  # noqa: F401  (puts the backend on sys.path)
from pymongo import AsyncMongoClient

from vidvault.media import child, frames, probe
from vidvault.media.source import PROBE_BLOCK_BYTES, StoredFileReader
from vidvault.media.steps import Step
from vidvault.media.task import DATABASE_NAME_VARIABLE, DATABASE_URL_VARIABLE, StepTask
from vidvault.storage import FileStorage, reader

MAX_DURATION_SECONDS = 6 * 3600


class GridFSCounter:
    """Counts the chunk bytes every range read gets from the database."""

    def __init__(self) -> None:
        self.bytes = 0
        self.batches = 0
        original = reader.RangeReader._next_batch

        async def counted(range_reader: reader.RangeReader) -> list[dict[str, Any]]:
            batch = await original(range_reader)
            self.bytes += sum(len(chunk["data"]) for chunk in batch)
            self.batches += 1
            return batch

        reader.RangeReader._next_batch = counted  # type: ignore[method-assign,assignment]


def _probe_and_poster(file: StoredFileReader, content_type: str) -> dict[str, Any]:
    with probe.open_input(file, content_type) as container:
        info = probe.probe(container, content_type, MAX_DURATION_SECONDS)
        stream = probe.video_stream(container)
        picture, _ = frames.poster(
            container, stream, info.duration_seconds, (info.width, info.height)
        )
    return {
        "duration_seconds": info.duration_seconds,
        "width": info.width,
        "height": info.height,
        "video_codec": info.video_codec,
        "poster_bytes": len(picture.data),
        "poster_size": [picture.width, picture.height],
    }


async def probe_and_poster(spec: dict[str, Any], counter: GridFSCounter) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(spec["url"], tz_aware=True)
    try:
        await client[spec["db"]].command("ping")  # connected before the clock starts
        storage = FileStorage(client[spec["db"]], spec["chunk_size"])
        task = _task(spec, Step.INSPECT, Path(tempfile.gettempdir()))
        loop = asyncio.get_running_loop()

        def fetch(start: int, end: int) -> bytes:  # as child.main_async's
            call = child._fetch_range(storage, task, start, end)
            return asyncio.run_coroutine_threadsafe(call, loop).result()

        started = time.perf_counter()
        file = StoredFileReader(spec["size"], fetch, PROBE_BLOCK_BYTES)
        found = await asyncio.to_thread(_probe_and_poster, file, spec["content_type"])
        seconds = time.perf_counter() - started
    finally:
        await client.close()
    return found | {
        "seconds": seconds,
        "gridfs_bytes": counter.bytes,
        "gridfs_batches": counter.batches,
        "bytes_to_ffmpeg": file.bytes_fetched,
    }


def _task(spec: dict[str, Any], step: Step, workdir: Path) -> StepTask:
    return StepTask(
        step=step,
        file_id=spec["file_id"],
        chunk_size=spec["chunk_size"],
        size=spec["size"],
        content_type=spec["content_type"],
        workdir=workdir,
        max_duration_seconds=MAX_DURATION_SECONDS,
    )


async def whole_inspect(spec: dict[str, Any], counter: GridFSCounter) -> dict[str, Any]:
    """The worker's whole inspect step (probe, poster, storyboard), in this process."""
    counter.bytes = counter.batches = 0
    with tempfile.TemporaryDirectory() as workdir:
        task = _task(spec, Step.INSPECT, Path(workdir))
        started = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):  # its progress lines; ours is the answer
            message = await child.main_async(task)
        seconds = time.perf_counter() - started
    if message.inspected is None:
        raise RuntimeError(f"inspect failed: {message.rejected}")
    return {"seconds": seconds, "gridfs_bytes": counter.bytes}


def main() -> None:
    spec = json.loads(sys.argv[1])
    counter = GridFSCounter()
    result = asyncio.run(probe_and_poster(spec, counter))
    if spec.get("inspect"):
        # The child reads its connection from the environment, as the worker gives it.
        os.environ[DATABASE_URL_VARIABLE] = spec["url"]
        os.environ[DATABASE_NAME_VARIABLE] = spec["db"]
        result["inspect"] = asyncio.run(whole_inspect(spec, counter))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
