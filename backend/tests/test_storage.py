"""The storage module: files written, continued, read and removed in GridFS's standard layout."""

import asyncio
import itertools
import os
from typing import Any

import anyio.to_thread
import pytest
from bson import ObjectId
from gridfs import AsyncGridFSBucket
from pymongo.asynchronous.database import AsyncDatabase

from tests.conftest import TEST_CHUNK_SIZE
from vidvault.storage import (
    BlockingFile,
    CorruptFile,
    FileNotFound,
    FileStorage,
    MissingChunks,
)
from vidvault.storage import writer as storage_writer

Db = AsyncDatabase[dict[str, Any]]
CHUNK = TEST_CHUNK_SIZE
DATA = os.urandom(10 * CHUNK + 123)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage_writer, "WRITE_BATCH_BYTES", 2 * CHUNK)


async def _read(storage: FileStorage, file_id: ObjectId, start: int, end: int) -> bytes:
    async with storage.read_range(file_id, CHUNK, start, end) as pieces:
        return b"".join([piece async for piece in pieces])


async def _chunk_numbers(db: Db, file_id: ObjectId) -> list[int]:
    return [c["n"] async for c in db["fs.chunks"].find({"files_id": file_id}).sort("n", 1)]


async def test_a_written_file_is_standard_gridfs(storage: FileStorage, db: Db) -> None:
    stored = await storage.write_file(DATA, "clip.mp4", {"content_type": "video/mp4"})
    assert (stored.length, stored.chunk_size, stored.filename) == (len(DATA), CHUNK, "clip.mp4")
    assert await _chunk_numbers(db, stored.id) == list(range(11))
    # Any GridFS reader reads it: here the driver's own.
    grid_out = await AsyncGridFSBucket(db).open_download_stream(stored.id)
    assert await grid_out.read() == DATA
    assert grid_out.metadata == {"content_type": "video/mp4"}
    assert await storage.stat(stored.id) == stored


async def test_a_file_is_invisible_until_closed(storage: FileStorage, db: Db) -> None:
    writer = storage.new_file("a.bin")
    await writer.write(DATA)
    await writer.suspend()
    assert await storage.stat(writer.file_id) is None
    assert await db["fs.chunks"].count_documents({"files_id": writer.file_id}) == 11
    with pytest.raises(FileNotFound):
        await storage.open_file(writer.file_id)
    await writer.close()
    assert await storage.read_file(writer.file_id) == DATA


async def test_a_failure_inside_the_writer_block_leaves_nothing(
    storage: FileStorage, db: Db
) -> None:
    async def write_then_fail() -> None:
        async with storage.new_file("a.bin") as writer:
            await writer.write(DATA)
            raise RuntimeError("the source failed")

    with pytest.raises(RuntimeError):
        await write_then_fail()
    assert await db["fs.chunks"].count_documents({}) == 0
    assert await db["fs.files"].count_documents({}) == 0


@pytest.mark.parametrize(
    "cuts",
    [
        [CHUNK, 3 * CHUNK],  # on chunk boundaries
        [100, 150, CHUNK + 1, 5 * CHUNK - 1],  # inside chunks, twice inside the first
        [1, 2, 3],  # tiny appends, all in one chunk
    ],
)
async def test_appends_at_any_offset_make_the_same_file(
    storage: FileStorage, db: Db, cuts: list[int]
) -> None:
    file_id = ObjectId()
    bounds = [0, *cuts, len(DATA)]
    for start, end in itertools.pairwise(bounds):
        # A fresh writer each time, as a new request in any process would get.
        writer = await storage.open_append(file_id, CHUNK, start, "a.bin", {})
        await writer.write(DATA[start:end])
        assert await writer.suspend() == end
        # Between two writes, the partial chunk is in the database, whole.
        numbers = await _chunk_numbers(db, file_id)
        assert numbers == list(range(-(-end // CHUNK)))
    writer = await storage.open_append(file_id, CHUNK, len(DATA), "a.bin", {"k": "v"})
    stored = await writer.close()
    assert stored.metadata == {"k": "v"}
    assert await _read(storage, file_id, 0, len(DATA) - 1) == DATA
    grid_out = await AsyncGridFSBucket(db).open_download_stream(file_id)
    assert await grid_out.read() == DATA


async def test_an_append_drops_what_a_dead_writer_left_past_the_offset(
    storage: FileStorage,
) -> None:
    file_id = ObjectId()
    writer = await storage.open_append(file_id, CHUNK, 0, "a.bin", {})
    await writer.write(b"x" * (4 * CHUNK + 10))
    await writer.suspend()
    # Only 2 * CHUNK + 5 bytes were recorded as received before the writer died.
    offset = 2 * CHUNK + 5
    writer = await storage.open_append(file_id, CHUNK, offset, "a.bin", {})
    await writer.write(b"y" * 7)
    await writer.close()
    assert await storage.read_file(file_id) == b"x" * offset + b"y" * 7


async def test_an_append_to_a_swept_file_fails(storage: FileStorage, db: Db) -> None:
    file_id = ObjectId()
    writer = await storage.open_append(file_id, CHUNK, 0, "a.bin", {})
    await writer.write(b"x" * (2 * CHUNK + 10))
    await writer.suspend()
    await db["fs.chunks"].delete_many({"files_id": file_id, "n": 2})
    with pytest.raises(MissingChunks):
        await storage.open_append(file_id, CHUNK, 2 * CHUNK + 10, "a.bin", {})
    await db["fs.chunks"].delete_many({"files_id": file_id, "n": 0})
    writer = await storage.open_append(file_id, CHUNK, 2 * CHUNK, "a.bin", {})
    with pytest.raises(MissingChunks):
        await writer.close()  # chunk 0 is gone: the file must not become visible
    assert await storage.stat(file_id) is None


@pytest.mark.parametrize(
    ("start", "end"),
    [(0, 0), (0, CHUNK - 1), (CHUNK - 1, CHUNK), (5, 9 * CHUNK + 7), (10 * CHUNK, len(DATA) - 1)],
)
async def test_a_range_reads_exactly_its_bytes(storage: FileStorage, start: int, end: int) -> None:
    stored = await storage.write_file(DATA, "a.bin")
    assert await _read(storage, stored.id, start, end) == DATA[start : end + 1]


async def test_a_range_over_a_missing_chunk_is_corrupt(storage: FileStorage, db: Db) -> None:
    stored = await storage.write_file(DATA, "a.bin")
    await db["fs.chunks"].delete_one({"files_id": stored.id, "n": 4})
    with pytest.raises(CorruptFile, match="chunk 4"):
        await _read(storage, stored.id, 0, len(DATA) - 1)
    with pytest.raises(CorruptFile, match="ends before"):
        await _read(storage, stored.id, 2 * CHUNK, 4 * CHUNK + 1)


async def test_a_reader_left_early_stops_reading(storage: FileStorage) -> None:
    stored = await storage.write_file(DATA, "a.bin")
    async with storage.read_range(stored.id, CHUNK, 0, len(DATA) - 1) as pieces:
        async for piece in pieces:
            assert piece == DATA[:CHUNK]
            break


async def test_a_seekable_file_reads_like_a_file(storage: FileStorage) -> None:
    stored = await storage.write_file(DATA, "a.bin")
    file = await storage.open_file(stored.id)
    assert file.size == len(DATA)
    assert await file.read(10) == DATA[:10]
    assert await file.read(10) == DATA[10:20]
    assert file.seek(-5, os.SEEK_END) == len(DATA) - 5
    assert await file.read(100) == DATA[-5:]
    assert await file.read(1) == b""
    file.seek(3 * CHUNK - 2)
    assert await file.read(2 * CHUNK) == DATA[3 * CHUNK - 2 : 5 * CHUNK - 2]
    file.seek(7, os.SEEK_CUR)
    assert await file.read() == DATA[5 * CHUNK + 5 :]
    with pytest.raises(ValueError, match="negative"):
        file.seek(-1)


async def test_a_blocking_file_reads_from_a_worker_thread(storage: FileStorage) -> None:
    stored = await storage.write_file(DATA, "a.bin")
    blocking = BlockingFile(await storage.open_file(stored.id))

    def read_in_thread() -> tuple[bytes, bytes]:
        head = blocking.read(100)
        blocking.seek(CHUNK * 10)
        buffer = bytearray(200)
        got = blocking.readinto(buffer)
        return head, bytes(buffer[:got])

    head, tail = await anyio.to_thread.run_sync(read_in_thread)
    assert head == DATA[:100]
    assert tail == DATA[CHUNK * 10 :]


async def test_delete_removes_the_document_then_the_chunks(storage: FileStorage, db: Db) -> None:
    kept = await storage.write_file(b"k" * 10, "kept.bin")
    stored = await storage.write_file(DATA, "a.bin")
    unfinished = storage.new_file("b.bin")
    await unfinished.write(DATA)
    await unfinished.suspend()
    await storage.delete(stored.id)
    await storage.delete(stored.id)  # idempotent
    await storage.delete_many([unfinished.file_id])
    assert await db["fs.files"].distinct("_id") == [kept.id]
    assert await db["fs.chunks"].distinct("files_id") == [kept.id]


async def test_readers_hold_at_most_the_read_budget_and_give_it_all_back(
    storage: FileStorage,
) -> None:
    stored = await storage.write_file(DATA, "a.bin")
    budget = storage.read_budget
    held: list[int] = []
    async with storage.read_range(stored.id, CHUNK, 0, len(DATA) - 1) as pieces:
        async for _ in pieces:
            held.append(budget.capacity - budget.free)
            break  # a client that stops: the reader is closed with its batches
    assert budget.free == budget.capacity
    assert 0 < held[0] <= budget.capacity
    # Read to the end, and seeking through a file, leave nothing reserved either.
    assert await _read(storage, stored.id, 0, len(DATA) - 1) == DATA
    file = await storage.open_file(stored.id)
    file.seek(3 * CHUNK + 5)
    assert await file.read(2 * CHUNK) == DATA[3 * CHUNK + 5 : 5 * CHUNK + 5]
    assert budget.free == budget.capacity


async def test_a_reader_waits_for_the_read_budget(db: Db) -> None:
    storage = FileStorage(db, CHUNK, read_memory_bytes=1024 * 1024)
    stored = await storage.write_file(DATA, "a.bin")
    taken = await storage.read_budget.reserve(1024 * 1024)
    reading = asyncio.create_task(_read(storage, stored.id, 0, len(DATA) - 1))
    await asyncio.sleep(0.2)
    assert not reading.done()
    storage.read_budget.release(taken)
    assert await reading == DATA
