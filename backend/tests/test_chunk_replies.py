"""Chunk replies parsed into views (storage/chunk_replies.py): the same documents as the
driver's decoding, and the driver's decoding for every reply of another shape."""

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import bson
import pytest
from bson import Binary, Int64, ObjectId, Regex, Timestamp
from bson.codec_options import DEFAULT_CODEC_OPTIONS
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import OperationFailure

from vidvault.storage.chunk_replies import ChunkCursor, UnexpectedReply, parse_chunk_reply

PROJECTION = {"_id": False, "n": True, "data": True}


def _plain(value: Any) -> Any:
    """`value` with every view turned into bytes, to compare with the driver's decoding."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _reply(batch: list[Any], **top: Any) -> dict[str, Any]:
    cursor = {"id": Int64(7), "ns": "db.fs.chunks", "nextBatch": batch}
    return {"cursor": cursor, "ok": 1.0, **top}


@pytest.mark.parametrize(
    "reply",
    [
        _reply([{"n": 0, "data": os.urandom(1000)}, {"n": 1, "data": os.urandom(10)}]),
        _reply([{"n": Int64(3), "data": b""}]),  # n as a 64-bit integer, an empty chunk
        _reply([{"n": 4.0, "data": b"abc"}]),  # n as a double, as some writers store it
        _reply([]),
        {"cursor": {"firstBatch": [{"n": 0, "data": b"x"}], "id": Int64(0), "ns": "a.b"}, "ok": 1},
        # What a replica set adds: cluster time, operation time, a resume token.
        _reply(
            [{"n": 9, "data": b"y" * 300}],
            **{
                "$clusterTime": {
                    "clusterTime": Timestamp(1700000000, 3),
                    "signature": {"hash": Binary(b"\0" * 20), "keyId": Int64(0)},
                },
                "operationTime": Timestamp(1700000000, 3),
            },
        ),
    ],
)
def test_a_chunk_reply_parses_to_what_the_driver_decodes(reply: dict[str, Any]) -> None:
    payload = bson.encode(reply)
    parsed = parse_chunk_reply(memoryview(payload), DEFAULT_CODEC_OPTIONS)
    assert _plain(parsed) == bson.decode(payload)
    batch = parsed["cursor"].get("nextBatch", parsed["cursor"].get("firstBatch"))
    assert all(isinstance(chunk["data"], memoryview) for chunk in batch)


@pytest.mark.parametrize(
    "reply",
    [
        {"ok": 0.0, "errmsg": "cursor id 7 not found", "code": 43},  # an error
        {"ok": 1.0},  # no cursor
        _reply([{"_id": ObjectId(), "n": 0, "data": b"x"}]),  # a field besides n and data
        _reply([{"n": 0, "data": Binary(b"\0" * 16, 4)}]),  # binary that is not plain bytes
        _reply([{"n": 0, "data": Binary(b"old", 2)}]),  # (the driver decodes it as Binary)
        _reply([{"n": 0, "data": b"x"}], pattern=Regex("^a")),  # a type not sized here
        _reply([[0, b"x"]]),  # not documents
    ],
)
def test_any_other_reply_is_left_to_the_driver(reply: dict[str, Any]) -> None:
    with pytest.raises(UnexpectedReply):
        parse_chunk_reply(memoryview(bson.encode(reply)), DEFAULT_CODEC_OPTIONS)


def test_a_truncated_reply_is_not_parsed() -> None:
    payload = bson.encode(_reply([{"n": 0, "data": b"x" * 100}]))
    cut = bytearray(payload[:60])
    cut[0:4] = len(cut).to_bytes(4, "little")
    with pytest.raises((UnexpectedReply, IndexError, ValueError)):
        parse_chunk_reply(memoryview(bytes(cut)), DEFAULT_CODEC_OPTIONS)


@pytest.fixture
async def chunks(mongodb_url: str) -> AsyncIterator[AsyncCollection[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    name = f"vidvault_test_{uuid.uuid4().hex[:12]}"
    try:
        yield client[name]["fs.chunks"]
    finally:
        await client.drop_database(name)
        await client.close()


async def test_the_cursor_reads_chunks_as_views_over_several_batches(
    chunks: AsyncCollection[dict[str, Any]],
) -> None:
    file_id = ObjectId()
    stored = [os.urandom(5000 + n) for n in range(7)]
    await chunks.insert_many(
        [{"files_id": file_id, "n": n, "data": d} for n, d in enumerate(stored)]
    )
    cursor = ChunkCursor(
        chunks, {"files_id": file_id}, projection=PROJECTION, sort=[("n", 1)], batch_size=2
    )
    read = await cursor.to_list(None)
    assert [chunk["n"] for chunk in read] == list(range(7))
    assert all(isinstance(chunk["data"], memoryview) for chunk in read)
    assert [bytes(chunk["data"]) for chunk in read] == stored


async def test_an_error_reply_raises_as_the_driver_raises_it(
    chunks: AsyncCollection[dict[str, Any]],
) -> None:
    cursor = ChunkCursor(chunks, {"n": {"$noSuchOperator": 1}}, projection=PROJECTION)
    with pytest.raises(OperationFailure):
        await cursor.to_list(None)


async def test_documents_of_another_shape_come_decoded_by_the_driver(
    chunks: AsyncCollection[dict[str, Any]],
) -> None:
    await chunks.insert_one({"files_id": ObjectId(), "n": 0, "data": b"abc", "extra": True})
    read = await ChunkCursor(chunks, {}).to_list(None)
    assert read[0]["data"] == b"abc"
    assert read[0]["extra"] is True
