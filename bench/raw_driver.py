"""The floor: the driver alone, in its own process, reading or writing one GridFS file.

    python bench/raw_driver.py read  URL DB FILE_ID CHUNK_SIZE
    python bench/raw_driver.py write URL DB SIZE CHUNK_SIZE

Reads use the same query, projection and batch size as the API's stream;
writes go through AsyncGridFSBucket in 1 MiB writes. Prints JSON.
"""

import asyncio
import json
import os
import sys
import time
from typing import Any

from bson import ObjectId
from gridfs import AsyncGridFSBucket
from pymongo import AsyncMongoClient

# The API's own constant, so the floor reads exactly as the stream does.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "backend"))
from vidvault.storage.reader import READ_BATCH_BYTES

GIB = 1024**3


def _measure(started: float, cpu_started: float, size: int) -> dict[str, float]:
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return {
        "seconds": seconds,
        "bytes": size,
        "mb_per_s": size / seconds / 1e6,
        "cpu_s_per_gib": cpu / (size / GIB),
    }


async def read(url: str, db_name: str, file_id: str, chunk_size: int) -> dict[str, float]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    try:
        chunks = client[db_name]["fs.chunks"]
        started, cpu_started = time.perf_counter(), time.process_time()
        cursor = chunks.find(
            {"files_id": ObjectId(file_id), "n": {"$gte": 0}},
            projection={"_id": False, "n": True, "data": True},
            sort=[("n", 1)],
            batch_size=max(2, READ_BATCH_BYTES // chunk_size),
        )
        size = 0
        async with cursor:
            async for chunk in cursor:
                size += len(chunk["data"])
        return _measure(started, cpu_started, size)
    finally:
        await client.close()


async def write(url: str, db_name: str, size: int, chunk_size: int) -> dict[str, float]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    try:
        bucket = AsyncGridFSBucket(client[db_name], chunk_size_bytes=chunk_size)
        block = os.urandom(1024 * 1024)
        started, cpu_started = time.perf_counter(), time.process_time()
        stream = bucket.open_upload_stream("raw-driver.mp4")
        remaining = size
        while remaining > 0:
            piece = block if remaining >= len(block) else block[:remaining]
            await stream.write(piece)
            remaining -= len(piece)
        await stream.close()
        result = _measure(started, cpu_started, size)
        await bucket.delete(stream._id)
        return result
    finally:
        await client.close()


def main() -> None:
    mode, url, db_name, target, chunk_size = sys.argv[1:6]
    if mode == "read":
        result = asyncio.run(read(url, db_name, target, int(chunk_size)))
    else:
        result = asyncio.run(write(url, db_name, int(target), int(chunk_size)))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
