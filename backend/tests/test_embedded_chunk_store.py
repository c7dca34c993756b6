"""Conformance of GridFS chunk collections, over the wire, on every engine.

Both embedded engines answer `*.chunks` from a store of their own
(scripts/embedded/; durable for the persistent engine, without fsync in a
scratch file for the memory engine); these tests hold it to MongoDB's
behaviour for every kind of query the backend and the GridFS driver send.
They run on the memory engine, on the persistent engine, and with
MONGODB_URL set on that server only, so the expectations are MongoDB's, not
a stand-in's.
"""

import os
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from gridfs import AsyncGridFSBucket
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from tests.conformance import conformance_fixtures
from tests.embedded_db import embedded_client

type Doc = dict[str, Any]
CHUNK = 1024


server_url, db = conformance_fixtures("chunks")


@pytest.fixture
async def chunks(db: AsyncDatabase[Doc]) -> AsyncCollection[Doc]:
    collection = db["fs.chunks"]
    await collection.create_index(
        [("files_id", ASCENDING), ("n", ASCENDING)], unique=True, name="files_id_1_n_1"
    )
    return collection


def chunk(files_id: Any, n: int, size: int = CHUNK) -> Doc:
    return {"files_id": files_id, "n": n, "data": bytes([n % 256]) * size}


async def store_file(chunks: AsyncCollection[Doc], count: int) -> ObjectId:
    files_id = ObjectId()
    await chunks.insert_many([chunk(files_id, n) for n in range(count)])
    return files_id


async def test_duplicate_files_id_n_raises_e11000(chunks: AsyncCollection[Doc]) -> None:
    files_id = await store_file(chunks, 2)
    with pytest.raises(DuplicateKeyError) as raised:
        await chunks.insert_one(chunk(files_id, 1))
    assert raised.value.code == 11000
    assert raised.value.details is not None
    assert raised.value.details["keyValue"] == {"files_id": files_id, "n": 1}


async def test_ordered_insert_many_stops_at_the_duplicate(chunks: AsyncCollection[Doc]) -> None:
    files_id = await store_file(chunks, 1)
    with pytest.raises(BulkWriteError) as raised:
        await chunks.insert_many([chunk(files_id, 1), chunk(files_id, 0), chunk(files_id, 2)])
    assert raised.value.details["nInserted"] == 1
    assert [e["code"] for e in raised.value.details["writeErrors"]] == [11000]
    stored = [doc["n"] async for doc in chunks.find({"files_id": files_id}).sort("n", 1)]
    assert stored == [0, 1]


async def test_unordered_insert_many_skips_only_the_duplicate(chunks: AsyncCollection[Doc]) -> None:
    files_id = await store_file(chunks, 1)
    with pytest.raises(BulkWriteError) as raised:
        await chunks.insert_many([chunk(files_id, 0), chunk(files_id, 1)], ordered=False)
    assert raised.value.details["nInserted"] == 1
    assert await chunks.count_documents({"files_id": files_id}) == 2


async def test_duplicate_id_raises_e11000(chunks: AsyncCollection[Doc]) -> None:
    doc = chunk(ObjectId(), 0)
    await chunks.insert_one(doc)
    with pytest.raises(DuplicateKeyError):
        await chunks.insert_one({**doc, "n": 1})


async def test_without_the_unique_index_duplicates_are_allowed(db: AsyncDatabase[Doc]) -> None:
    collection = db["plain.chunks"]
    files_id = ObjectId()
    await collection.insert_many([chunk(files_id, 0), chunk(files_id, 0)])
    assert await collection.count_documents({"files_id": files_id, "n": 0}) == 2
    with pytest.raises(OperationFailure) as raised:
        await collection.create_index([("files_id", 1), ("n", 1)], unique=True)
    assert raised.value.code == 11000


@pytest.mark.parametrize("direction", [ASCENDING, DESCENDING])
async def test_range_read_in_order_across_get_more(
    chunks: AsyncCollection[Doc], direction: int
) -> None:
    files_id = await store_file(chunks, 12)
    await store_file(chunks, 3)  # another file, interleaved in the index
    cursor = chunks.find({"files_id": files_id, "n": {"$gte": 2, "$lte": 9}}, batch_size=3).sort(
        "n", direction
    )
    docs = [doc async for doc in cursor]
    expected = list(range(2, 10))[::direction]
    assert [doc["n"] for doc in docs] == expected
    assert all(doc["data"] == bytes([doc["n"]]) * CHUNK for doc in docs)


async def test_ranges_and_lists_on_the_key_fields(chunks: AsyncCollection[Doc]) -> None:
    older, newer = await store_file(chunks, 1), await store_file(chunks, 1)
    await chunks.insert_one(chunk("a-string-id", 0))
    found = [
        doc["files_id"]
        async for doc in chunks.find({"files_id": {"$lte": newer, "$type": "objectId"}})
    ]
    assert sorted(found) == [older, newer]
    assert await chunks.count_documents({"files_id": "a-string-id"}) == 1
    assert await chunks.count_documents({"n": {"$gt": 0.5}}) == 0
    assert await chunks.count_documents({"n": {"$in": [0, 7]}, "files_id": older}) == 1
    assert await chunks.count_documents({"_id": {"$in": []}}) == 0


async def test_newest_chunk_id_only(chunks: AsyncCollection[Doc]) -> None:
    files_id = await store_file(chunks, 5)
    newest = await chunks.find_one({"files_id": files_id}, {"_id": True}, sort=[("n", -1)])
    last = await chunks.find_one({"files_id": files_id, "n": 4})
    assert last is not None
    assert newest == {"_id": last["_id"]}


async def test_filters_on_other_fields_keep_mongodb_meaning(chunks: AsyncCollection[Doc]) -> None:
    files_id = await store_file(chunks, 4)
    assert await chunks.count_documents({"$or": [{"n": 0}, {"n": 3}], "files_id": files_id}) == 2
    assert await chunks.count_documents({"files_id": files_id, "data": {"$exists": True}}) == 4
    assert await chunks.count_documents({"files_id": files_id, "n": {"$not": {"$gte": 1}}}) == 1
    sorted_by_id = [d["n"] async for d in chunks.find({"files_id": files_id}).sort("_id", -1)]
    assert sorted_by_id == [3, 2, 1, 0]
    by_data = [d["n"] async for d in chunks.find({"files_id": files_id}).sort([("data", -1)])]
    assert by_data == [3, 2, 1, 0]


async def test_skip_limit_and_count(chunks: AsyncCollection[Doc]) -> None:
    files_id = await store_file(chunks, 10)
    page = [d["n"] async for d in chunks.find({"files_id": files_id}).sort("n", 1).skip(3).limit(4)]
    assert page == [3, 4, 5, 6]
    assert await chunks.count_documents({"files_id": files_id}, skip=8) == 2
    assert await chunks.estimated_document_count() == 10


async def test_delete_by_file_and_by_list(chunks: AsyncCollection[Doc]) -> None:
    first, second, kept = [await store_file(chunks, 3) for _ in range(3)]
    assert (await chunks.delete_many({"files_id": first})).deleted_count == 3
    deleted = await chunks.delete_many({"files_id": {"$in": [second, ObjectId()]}})
    assert deleted.deleted_count == 3
    assert (await chunks.delete_one({"files_id": kept})).deleted_count == 1
    assert await chunks.count_documents({}) == 2


async def test_distinct_file_ids_by_aggregate(chunks: AsyncCollection[Doc]) -> None:
    ids = sorted([await store_file(chunks, 3) for _ in range(3)])
    pipeline: list[Doc] = [
        {"$match": {"files_id": {"$lt": ids[2]}}},
        {"$sort": {"files_id": 1}},
        {"$group": {"_id": "$files_id"}},
    ]
    grouped = [doc["_id"] async for doc in await chunks.aggregate(pipeline, batchSize=1)]
    assert sorted(grouped) == ids[:2]
    assert sorted(await chunks.distinct("files_id")) == ids


async def test_partial_last_chunk_rewritten_in_place(chunks: AsyncCollection[Doc]) -> None:
    files_id = ObjectId()
    selector = {"files_id": files_id, "n": 0}
    result = await chunks.update_one(selector, {"$set": {"data": b"ab"}}, upsert=True)
    assert result.upserted_id is not None
    result = await chunks.update_one(selector, {"$set": {"data": b"abcd"}}, upsert=True)
    assert (result.matched_count, result.modified_count) == (1, 1)
    await chunks.replace_one(selector, {"files_id": files_id, "n": 0, "data": b"xyz"})
    stored = await chunks.find_one(selector)
    assert stored is not None
    assert stored["data"] == b"xyz"
    with pytest.raises(DuplicateKeyError):
        await chunks.insert_one({"files_id": files_id, "n": 0, "data": b""})


async def test_update_into_a_taken_key_is_refused(chunks: AsyncCollection[Doc]) -> None:
    files_id = await store_file(chunks, 2)
    with pytest.raises(DuplicateKeyError):
        await chunks.update_one({"files_id": files_id, "n": 1}, {"$set": {"n": 0}})
    with pytest.raises(OperationFailure):
        await chunks.update_one({"files_id": files_id, "n": 1}, {"$set": {"_id": ObjectId()}})


async def test_find_one_and_update_takes_the_first_in_sort_order(
    chunks: AsyncCollection[Doc],
) -> None:
    files_id = await store_file(chunks, 3)
    updated = await chunks.find_one_and_update(
        {"files_id": files_id, "claimed": {"$exists": False}},
        {"$set": {"claimed": True}},
        sort=[("n", -1)],
        projection={"data": False},
        return_document=ReturnDocument.AFTER,
    )
    assert (
        updated is not None and updated["n"] == 2 and updated["claimed"] and "data" not in updated
    )
    removed = await chunks.find_one_and_delete({"files_id": files_id}, sort=[("n", 1)])
    assert removed is not None and removed["n"] == 0
    assert await chunks.count_documents({"files_id": files_id}) == 2


async def test_collection_and_indexes_are_listed(
    chunks: AsyncCollection[Doc], db: AsyncDatabase[Doc]
) -> None:
    await store_file(chunks, 1)
    assert "fs.chunks" in await db.list_collection_names()
    assert "fs.chunks" in await db.list_collection_names(filter={"name": "fs.chunks"})
    names = {spec["name"] async for spec in await chunks.list_indexes()}
    assert names == {"_id_", "files_id_1_n_1"}
    await db.drop_collection("fs.chunks")
    assert "fs.chunks" not in await db.list_collection_names()
    assert await chunks.count_documents({}) == 0


async def test_gridfs_driver_round_trip(db: AsyncDatabase[Doc]) -> None:
    bucket = AsyncGridFSBucket(db, chunk_size_bytes=CHUNK)
    payload = os.urandom(CHUNK * 5 + 17)
    file_id = await bucket.upload_from_stream("clip.mp4", payload)
    stream = await bucket.open_download_stream(file_id)
    assert await stream.read() == payload
    await bucket.delete(file_id)
    assert await db["fs.chunks"].count_documents({"files_id": file_id}) == 0


async def test_a_large_result_comes_in_bounded_batches(chunks: AsyncCollection[Doc]) -> None:
    files_id = ObjectId()
    for start in range(0, 24, 4):
        await chunks.insert_many([chunk(files_id, n, 1024 * 1024) for n in range(start, start + 4)])
    total = 0
    async for doc in chunks.find({"files_id": files_id}):  # no batch_size: server decides
        total += len(doc["data"])
    assert total == 24 * 1024 * 1024


@pytest.mark.skipif("MONGODB_URL" in os.environ, reason="about the embedded launcher")
async def test_chunks_an_older_version_left_in_the_engine_move_at_start(tmp_path: Path) -> None:
    from mongoeco.api import AsyncMongoClient as InProcessClient
    from mongoeco.engines.sqlite import SQLiteEngine

    path = tmp_path / "old.sqlite3"
    async with InProcessClient(SQLiteEngine(path=str(path))) as old:
        legacy = old["vidvault"]["fs.chunks"]
        await legacy.create_index([("files_id", 1), ("n", 1)], unique=True, name="files_id_1_n_1")
        await legacy.insert_many(
            [{"files_id": "clip", "n": n, "data": b"%d" % n} for n in range(3)]
        )
    for _ in range(2):  # the second start finds nothing left to move
        async with embedded_client(path) as client:
            moved = client["vidvault"]["fs.chunks"]
            docs = [doc async for doc in moved.find({"files_id": "clip"}).sort("n", 1)]
            assert [(doc["n"], doc["data"]) for doc in docs] == [(0, b"0"), (1, b"1"), (2, b"2")]
            with pytest.raises(DuplicateKeyError):
                await moved.insert_one({"files_id": "clip", "n": 0, "data": b""})
