"""Conformance of the document store (the `videos` collection), over the wire, on every engine.

Both embedded engines answer `videos` from a store of our own with real
compound and multikey indexes (scripts/embedded/doc_*.py). Every read here
is compared with the same read of a reference collection holding the same
documents and indexes, which the embedded server leaves to mongoeco's
engine: the store must answer exactly as a plain collection does, whichever
index it reads. With MONGODB_URL set, both are MongoDB's collections, so
the expectations are MongoDB's, not a stand-in's.
"""

import os
import random
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bson import Binary, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import IndexModel, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from tests.conformance import conformance_fixtures
from tests.embedded_db import embedded_client, scratch_database

type Doc = dict[str, Any]
WORDS = ["beach", "birthday", "bike", "school", "play", "ski", "snow", "lake", "nimes", "2019"]
OWNERS = [ObjectId() for _ in range(3)]
RAW = CodecOptions(document_class=RawBSONDocument)
SORTS: dict[str, list[tuple[str, int]]] = {
    "newest": [("created_at", -1), ("_id", -1)],
    "oldest": [("created_at", 1), ("_id", 1)],
    "title": [("title_key", 1), ("_id", 1)],
    "duration": [("duration_seconds", -1), ("_id", -1)],
    "size": [("size", -1), ("_id", -1)],
}


def library_indexes() -> list[IndexModel]:
    """The app's shape (vidvault/videos/models.py): per order, a plain and a search index."""
    indexes = [IndexModel([("file_id", 1)], name="file_id", unique=True)]
    for name, spec in SORTS.items():
        if name != "oldest":
            indexes.append(IndexModel([("owner_id", 1), *spec], name=f"owner_{name}"))
            indexes.append(
                IndexModel([("owner_id", 1), ("title_terms", 1), *spec], name=f"search_{name}")
            )
    indexes.append(IndexModel([("poster.file_id", 1)], name="poster_file_id", sparse=True))
    return indexes


def prefixes(words: list[str]) -> list[str]:
    return list(dict.fromkeys(word[:n] for word in words for n in range(1, len(word) + 1)))


def video(rng: random.Random, index: int) -> Doc:
    words = rng.sample(WORDS, rng.randint(1, 3))
    doc: Doc = {
        "_id": ObjectId(),
        "owner_id": rng.choice(OWNERS),
        "file_id": ObjectId(),
        "title": " ".join(words),
        "title_key": " ".join(words),
        "title_terms": prefixes(words),
        # Ties on purpose: the _id decides among equal keys.
        "created_at": datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 40)),
        "size": rng.choice([1000, 2000, 3000, rng.randint(1, 10**9)]),
        "duration_seconds": rng.choice([None, 12.5, 30.0, rng.uniform(1, 900)]),
        "status": rng.choice(["processing", "ready"]),
    }
    if index % 7 == 0:
        doc["poster"] = {"file_id": ObjectId(), "width": 320}
    if index % 11 == 0:
        del doc["title_terms"]  # stored before search existed
    return doc


server_url, db = conformance_fixtures("docs")


type Pair = tuple[AsyncCollection[Doc], AsyncCollection[Doc]]


async def seeded(db: AsyncDatabase[Doc], count: int) -> Pair:
    """`videos` (the document store) and a reference collection with the same documents."""
    videos, reference = db["videos"], db["reference_videos"]
    rng = random.Random(7)
    docs = [video(rng, i) for i in range(count)]
    for collection in (videos, reference):
        await collection.create_indexes(library_indexes())
        await collection.insert_many([dict(doc) for doc in docs])
    return videos, reference


@pytest.fixture(scope="module")
async def library(server_url: str) -> AsyncIterator[Pair]:
    """240 videos, only read: shared by the module's read tests."""
    async with scratch_database(server_url, "docs") as database:
        yield await seeded(database, 240)


@pytest.fixture
async def pair(db: AsyncDatabase[Doc]) -> Pair:
    """60 videos, for a test that writes."""
    return await seeded(db, 60)


async def both(
    pair: Pair,
    filter_spec: Doc,
    sort: list[tuple[str, int]] | None = None,
    limit: int = 0,
    skip: int = 0,
    projection: Doc | None = None,
) -> list[Doc]:
    """The store's answer, asserted equal to the reference's; sorted reads compare in order."""
    answers = []
    for collection in pair:
        cursor = collection.find(filter_spec, projection, skip=skip, limit=limit)
        if sort:
            cursor = cursor.sort(sort)
        answers.append(await cursor.to_list())
    store, reference = answers
    if sort:
        assert store == reference
    else:
        assert sorted(store, key=lambda d: d["_id"]) == sorted(reference, key=lambda d: d["_id"])
    return store


@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize("terms", [[], ["b"], ["bi"], ["beach", "2019"], ["s", "sn", "l"], ["zz"]])
async def test_search_pages_match_a_plain_collection(
    library: Pair, sort: str, terms: list[str]
) -> None:
    owner = OWNERS[0]
    spec = SORTS[sort]
    base: Doc = {"owner_id": owner}
    if terms:
        base["title_terms"] = {"$all": terms}
    everything = await both(library, base, spec)
    # Keyset pages of 7, as the library pages: (key, _id) after the last one seen.
    field, direction = spec[0]
    beyond = "$gt" if direction == 1 else "$lt"
    paged: list[Doc] = []
    cursor_filter: Doc = {}
    while True:
        page = await both(library, {**base, **cursor_filter}, spec, limit=8)
        paged += page[:7]
        if len(page) <= 7:
            break
        last = page[6]
        branches: list[Doc] = [
            {field: {beyond: last[field]}},
            {field: last[field], "_id": {beyond: last["_id"]}},
        ]
        if last[field] is None:
            branches = [{field: None, "_id": {beyond: last["_id"]}}]
        elif field == "duration_seconds":
            branches.append({field: None})
        cursor_filter = {"$or": branches}
    assert [d["_id"] for d in paged] == [d["_id"] for d in everything]
    counts = [await collection.count_documents(base) for collection in library]
    assert counts == [len(everything)] * 2
    if terms:
        assert all(set(terms) <= set(d["title_terms"]) for d in everything)


@pytest.mark.parametrize(
    "filter_spec",
    [
        {},
        {"title_terms": "sk"},
        {"title_terms": {"$exists": False}},
        {"owner_id": {"$in": OWNERS[:2]}, "status": "ready"},
        {"owner_id": {"$in": OWNERS[:2]}},
        {"owner_id": OWNERS[2], "title_terms": {"$in": ["sk", "la"], "$all": ["s"]}},
        {"owner_id": OWNERS[1], "title_terms": {"$all": ["lake"]}, "size": {"$gte": 2000}},
        {"poster.file_id": {"$exists": True}},
        {"duration_seconds": None},
        {"$or": [{"size": 1000}, {"title_terms": "play"}]},
    ],
)
async def test_other_filters_keep_mongodb_meaning(library: Pair, filter_spec: Doc) -> None:
    await both(library, filter_spec)
    await both(library, filter_spec, [("size", 1), ("_id", 1)], skip=3, limit=10)
    await both(library, filter_spec, [("title", -1), ("_id", 1)], projection={"title": True})
    counts = [await collection.count_documents(filter_spec) for collection in library]
    assert counts[0] == counts[1]
    for options in ({}, {"skip": 5}, {"limit": 3}):
        commands = [
            await collection.database.command(
                {"count": collection.name, "query": filter_spec, **options}
            )
            for collection in library
        ]
        assert commands[0]["n"] == commands[1]["n"]


async def test_every_bson_type_comes_back_as_stored(db: AsyncDatabase[Doc]) -> None:
    """A find answers with the stored bytes: every type, width and order survives the trip."""
    doc: Doc = {
        "_id": ObjectId(),
        "int32": 7,
        "int64": Int64(7),
        "big": 2**40,
        "double": 7.0,
        "text": "Fête à Nîmes",
        "flag": True,
        "nothing": None,
        "when": datetime(2024, 5, 1, 12, 30, 15, 123000),
        "bytes": b"\x00\x01",
        "uuid": Binary(bytes(range(16)), 4),
        "money": Decimal128("12.50"),
        "pattern": Regex("^vid", "i"),
        "edges": [MinKey(), MaxKey()],
        "nested": {"b": 1, "a": [1, "two", {"c": 3.5}]},
        "title_terms": ["f", "fe", "fete"],
    }
    for name in ("videos", "reference_videos"):
        await db[name].insert_one(dict(doc))
    raw = [
        await db.get_collection(name).find_one({"_id": doc["_id"]})
        for name in ("videos", "reference_videos")
    ]
    assert raw[0] == raw[1] == doc
    as_bytes = [
        await db.get_collection(name, codec_options=RAW).find_one({})
        for name in ("videos", "reference_videos")
    ]
    assert as_bytes[0] is not None and as_bytes[1] is not None
    assert list(as_bytes[0].keys()) == list(doc)  # field order kept
    assert [type(v) for v in as_bytes[0].values()] == [type(v) for v in as_bytes[1].values()]


async def test_lookups_by_id_and_by_list_of_ids(
    library: Pair,
) -> None:
    videos, _ = library
    ids = [doc["_id"] async for doc in videos.find({}, {"_id": True}).limit(5)]
    assert len(await both(library, {"_id": ids[0], "owner_id": {"$in": OWNERS}})) == 1
    assert len(await both(library, {"_id": {"$in": [*ids, ObjectId()]}})) == 5
    assert await both(library, {"_id": ObjectId()}) == []


async def test_aggregate_and_distinct(
    library: Pair,
) -> None:
    pipeline: list[Doc] = [
        {"$match": {"owner_id": OWNERS[2]}},
        {"$group": {"_id": None, "bytes": {"$sum": "$size"}}},
    ]
    totals = [await (await collection.aggregate(pipeline)).to_list() for collection in library]
    assert totals[0] == totals[1] and totals[0][0]["bytes"] > 0
    values = [sorted(await collection.distinct("status")) for collection in library]
    assert values[0] == values[1] == ["processing", "ready"]


@pytest.mark.parametrize("direction", [1, -1])
async def test_a_sort_on_a_sparse_index_keeps_the_documents_without_its_field(
    library: Pair, direction: int
) -> None:
    """A sparse index lacks them (poster_file_id): MongoDB never reads it for this sort."""
    videos, reference = library
    found = await videos.find({}).sort("poster.file_id", direction).to_list()
    assert len(found) == await reference.count_documents({}) == 240
    keys = [(doc.get("poster") or {}).get("file_id") for doc in found]
    # Missing sorts as null, below every ObjectId.
    assert keys == sorted(keys, key=lambda key: (key is not None, key or 0), reverse=direction < 0)


async def test_an_update_that_changes_only_a_value_s_type_is_stored(db: AsyncDatabase[Doc]) -> None:
    """MongoDB compares BSON, not Python values: true is not 1, 2.0 is not 2."""
    videos = db["videos"]
    await videos.insert_one({"_id": 1, "hidden": 1, "size": 2})
    changes = {"hidden": True, "size": 2.0}
    result = await videos.update_one({"_id": 1}, {"$set": changes})
    assert result.modified_count == 1
    stored = await videos.find_one({"_id": 1})
    assert stored is not None
    assert [(stored[k], type(stored[k])) for k in changes] == [(True, bool), (2.0, float)]
    same = await videos.update_one({"_id": 1}, {"$set": changes})
    assert same.modified_count == 0


async def answered_or_refused[T](call: Awaitable[T]) -> T | None:
    """MongoDB's answer, or None for a clear refusal: the embedded store's for an
    option it cannot honour (20), or a MongoDB older than the option (40415)."""
    try:
        return await call
    except OperationFailure as error:
        refusal = error
    assert refusal.code in (20, 40415), refusal
    return None


async def test_options_that_change_the_answer_are_honoured_or_refused(
    db: AsyncDatabase[Doc],
) -> None:
    videos = db["videos"]
    await videos.insert_many([{"_id": 1, "t": "Beach"}, {"_id": 2, "t": "beach"}, {"_id": 3}])
    folded = {"locale": "en", "strength": 2}  # case-insensitive
    found = await answered_or_refused(videos.find({"t": "BEACH"}, collation=folded).to_list())
    assert found is None or [doc["_id"] for doc in found] == [1, 2]
    counted = await answered_or_refused(videos.count_documents({"t": "BEACH"}, collation=folded))
    assert counted in (None, 2)
    values = await answered_or_refused(videos.distinct("t", collation=folded))
    assert values is None or len(values) == 1
    keys = await answered_or_refused(videos.find({}, return_key=True).to_list())
    assert keys is None or keys == [{}, {}, {}]  # no index read: no key
    updated = await answered_or_refused(
        videos.update_many({"t": "BEACH"}, {"$set": {"x": 1}}, collation=folded)
    )
    assert updated is None or updated.modified_count == 2
    assert await videos.count_documents({"x": 1}) == (0 if updated is None else 2)
    # MongoDB 8: the last of the sort order changes, not any document.
    sorted_update = await answered_or_refused(
        videos.update_one({}, {"$set": {"y": 1}}, sort={"_id": -1})
    )
    assert sorted_update is None or sorted_update.modified_count == 1
    deleted = await answered_or_refused(videos.delete_many({"t": "BEACH"}, collation=folded))
    assert deleted is None or deleted.deleted_count == 2
    # A refusal wrote nothing.
    remaining = await videos.find({}).sort("_id").to_list()
    assert [doc["_id"] for doc in remaining] == ([1, 2, 3] if deleted is None else [3])
    assert [doc["_id"] for doc in remaining if "y" in doc] == ([] if sorted_update is None else [3])
    created = await answered_or_refused(db.create_collection("uploads", capped=True, size=4096))
    assert created is None or (await created.options())["capped"] is True
    assert ("uploads" in await db.list_collection_names()) == (created is not None)


async def test_distinct_lists_each_value_along_the_path_once(db: AsyncDatabase[Doc]) -> None:
    """An array's elements one by one (along a dotted path too), null kept,
    missing and empty arrays skipped, equal numbers (1, 1.0) once."""
    videos = db["videos"]
    await videos.insert_many(
        [
            {"a": [{"b": 1}, {"b": 2}, {"c": 1}], "n": None},
            {"a": {"b": None}, "n": [5, None, 5.0]},
            {"a": {"b": [3, 1.0]}, "n": []},
            {"a": "x"},
        ]
    )
    assert sorted(await videos.distinct("a.b"), key=repr) == [1, 2, 3, None]
    assert sorted(await videos.distinct("n"), key=repr) == [5, None]
    assert sorted(await videos.distinct("a.b", {"a.c": 1})) == [1, 2]
    assert await videos.distinct("missing") == []


async def test_indexes_on_the_same_fields_in_another_order_are_other_indexes(
    db: AsyncDatabase[Doc],
) -> None:
    videos = db["videos"]
    await videos.create_index([("owner_id", 1), ("size", -1)], name="owner_size")
    with pytest.raises(OperationFailure) as raised:
        await videos.create_index([("size", -1), ("owner_id", 1)], name="owner_size")
    assert raised.value.code == 86  # IndexKeySpecsConflict: that name has the other key
    await videos.create_index([("size", -1), ("owner_id", 1)], name="size_owner")
    await db.command({"dropIndexes": "videos", "index": {"size": -1, "owner_id": 1}})  # by key
    names = [spec["name"] async for spec in await videos.list_indexes()]
    assert names == ["_id_", "owner_size"]


async def test_an_update_that_matches_nothing_creates_no_collection(
    db: AsyncDatabase[Doc],
) -> None:
    for name in ("videos", "uploads"):
        result = await db[name].update_one({"_id": 1}, {"$set": {"a": 1}})
        assert (result.matched_count, result.upserted_id) == (0, None)
        assert await db[name].find_one_and_update({"_id": 1}, {"$set": {"a": 1}}) is None
        await db[name].delete_one({"_id": 1})
    assert await db.list_collection_names() == []
    await db["uploads"].update_one({"_id": 1}, {"$set": {"a": 1}}, upsert=True)
    assert await db.list_collection_names() == ["uploads"]


async def test_a_sort_on_a_pinned_array_field_orders_by_the_whole_array(
    db: AsyncDatabase[Doc],
) -> None:
    """MongoDB sorts an array by its smallest element (largest, descending), all of
    it, not by the element the filter pinned."""
    videos = db["videos"]
    await videos.create_index([("t", 1), ("_id", 1)], name="t_id")
    await videos.insert_many([{"_id": 1, "t": ["a", "b"]}, {"_id": 2, "t": ["0", "a"]}])
    ascending = await videos.find({"t": "a"}).sort([("t", 1), ("_id", 1)]).to_list()
    assert [doc["_id"] for doc in ascending] == [2, 1]
    descending = await videos.find({"t": "a"}).sort([("t", -1), ("_id", 1)]).to_list()
    assert [doc["_id"] for doc in descending] == [1, 2]


async def test_a_cursor_closes_once_its_limit_is_reached(db: AsyncDatabase[Doc]) -> None:
    """Cursor id 0 with the last document the limit allows: no cursor left open for
    the driver to kill, and nothing past the limit."""
    await db["videos"].insert_many([{"_id": n} for n in range(10)])
    whole = await db.command({"find": "videos", "limit": 10})
    assert (len(whole["cursor"]["firstBatch"]), whole["cursor"]["id"]) == (10, 0)
    first = await db.command({"find": "videos", "limit": 5, "batchSize": 3})
    assert len(first["cursor"]["firstBatch"]) == 3 and first["cursor"]["id"] != 0
    more = {"getMore": first["cursor"]["id"], "collection": "videos", "batchSize": 3}
    rest = await db.command(more)
    assert [doc["_id"] for doc in rest["cursor"]["nextBatch"]] == [3, 4]
    assert rest["cursor"]["id"] == 0


async def test_a_replacing_upsert_takes_its_id_from_the_filter(db: AsyncDatabase[Doc]) -> None:
    videos = db["videos"]
    selectors: list[Doc] = [{"_id": 6}, {"_id": {"$eq": 7}}, {"$and": [{"_id": 8}]}]
    for n, selector in enumerate(selectors):
        result = await videos.replace_one(selector, {"x": n}, upsert=True)
        assert result.upserted_id == 6 + n
    stored = await videos.find({}).sort("_id").to_list()
    assert stored == [{"_id": 6, "x": 0}, {"_id": 7, "x": 1}, {"_id": 8, "x": 2}]


async def test_a_cursor_never_returns_a_document_changed_to_no_longer_match(
    db: AsyncDatabase[Doc],
) -> None:
    """Documents changed between two getMores are checked again when read, as MongoDB does."""
    videos = db["videos"]
    await videos.create_index("o", name="o")
    await videos.insert_many([{"_id": n, "o": n % 2} for n in range(1100)])
    cursor = videos.find({"o": {"$in": [0, 1]}}, batch_size=10)
    seen = [await cursor.next() for _ in range(10)]
    await videos.update_many({}, {"$set": {"o": 2}})
    seen += await cursor.to_list()
    assert [doc["_id"] for doc in seen if doc["o"] not in (0, 1)] == []


async def test_a_rename_moves_the_video_between_searches(
    pair: Pair,
) -> None:
    videos, reference = pair
    target = await videos.find_one({"owner_id": OWNERS[0], "title_terms": "beach"})
    assert target is not None
    renamed = {
        "title": "xylophone",
        "title_key": "xylophone",
        "title_terms": prefixes(["xylophone"]),
    }
    for collection in pair:
        await collection.update_one({"_id": target["_id"]}, {"$set": renamed})
    found = await both(
        pair, {"owner_id": OWNERS[0], "title_terms": {"$all": ["xy"]}}, SORTS["newest"]
    )
    assert [doc["_id"] for doc in found] == [target["_id"]]
    beach = await both(pair, {"owner_id": OWNERS[0], "title_terms": "beach"}, SORTS["title"])
    assert target["_id"] not in {doc["_id"] for doc in beach}
    before = await videos.find_one_and_update(
        {"_id": target["_id"]},
        {"$set": {"poster": {"file_id": ObjectId(), "width": 1}}},
        projection={"poster": True},
        return_document=ReturnDocument.BEFORE,
    )
    assert before is not None and before["_id"] == target["_id"]
    assert await videos.count_documents({"poster.file_id": {"$exists": True}}) == (
        await reference.count_documents({"poster.file_id": {"$exists": True}}) + 1
    )


async def test_deleted_videos_leave_every_index(
    pair: Pair,
) -> None:
    videos, reference = pair
    for collection in pair:
        await collection.delete_many({"owner_id": OWNERS[1], "title_terms": "bike"})
    assert await both(pair, {"owner_id": OWNERS[1], "title_terms": "bike"}, SORTS["size"]) == []
    await both(pair, {"owner_id": OWNERS[1]}, SORTS["newest"])
    assert await videos.count_documents({}) == await reference.count_documents({})


async def test_duplicate_id_and_file_id_raise_e11000_and_store_nothing(
    pair: Pair,
) -> None:
    videos, _ = pair
    existing = await videos.find_one({})
    assert existing is not None
    with pytest.raises(DuplicateKeyError) as raised:
        await videos.insert_one({**existing, "file_id": ObjectId()})
    assert raised.value.details is not None and raised.value.details["keyPattern"] == {"_id": 1}
    with pytest.raises(DuplicateKeyError) as raised:
        await videos.insert_one({**existing, "_id": ObjectId(), "title_terms": ["only"]})
    assert raised.value.details is not None
    assert raised.value.details["keyPattern"] == {"file_id": 1}
    # Refused whole: no index lists the refused document.
    assert await videos.count_documents({"title_terms": "only"}) == 0
    with pytest.raises(DuplicateKeyError):
        await videos.update_one(
            {"_id": ObjectId()}, {"$set": {"file_id": existing["file_id"]}}, upsert=True
        )


async def test_unordered_insert_many_skips_only_the_duplicates(db: AsyncDatabase[Doc]) -> None:
    videos = db["videos"]
    await videos.create_index("file_id", unique=True, name="file_id")
    file_id = ObjectId()
    docs = [
        {"file_id": file_id},
        {"file_id": ObjectId()},
        {"file_id": file_id},
        {"file_id": ObjectId()},
    ]
    with pytest.raises(BulkWriteError) as raised:
        await videos.insert_many(docs, ordered=False)
    assert [error["index"] for error in raised.value.details["writeErrors"]] == [2]
    assert raised.value.details["writeErrors"][0]["code"] == 11000
    assert await videos.count_documents({}) == 3


async def test_an_index_built_over_duplicates_is_refused(db: AsyncDatabase[Doc]) -> None:
    videos = db["videos"]
    await videos.insert_many([{"file_id": 1}, {"file_id": 1}])
    with pytest.raises(OperationFailure) as raised:
        await videos.create_index("file_id", unique=True, name="file_id")
    assert raised.value.code == 11000
    assert {spec["name"] async for spec in await videos.list_indexes()} == {"_id_"}


async def test_parallel_arrays_are_refused(db: AsyncDatabase[Doc]) -> None:
    videos = db["videos"]
    await videos.create_index([("a", 1), ("b", 1)], name="a_b")
    await videos.insert_one({"a": [1, 2], "b": 1})
    with pytest.raises(OperationFailure) as raised:
        await videos.insert_one({"a": [1, 2], "b": [3, 4]})
    assert raised.value.code == 171
    assert await videos.count_documents({}) == 1


async def test_indexes_and_collection_are_listed_and_dropped(db: AsyncDatabase[Doc]) -> None:
    videos = db["videos"]
    await videos.create_indexes(library_indexes())
    await videos.insert_one({"file_id": ObjectId()})
    assert "videos" in await db.list_collection_names(filter={"name": "videos"})
    names = {spec["name"] async for spec in await videos.list_indexes()}
    assert names == {"_id_", *(index.document["name"] for index in library_indexes())}
    await videos.drop_index("search_size")
    assert "search_size" not in {spec["name"] async for spec in await videos.list_indexes()}
    await db.drop_collection("videos")
    assert "videos" not in await db.list_collection_names()
    assert await videos.count_documents({}) == 0


@pytest.mark.skipif("MONGODB_URL" in os.environ, reason="about the embedded launcher")
async def test_videos_survive_a_kill_and_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with embedded_client(path, kill=True) as client:  # acknowledged means on disk
        videos = client["vidvault"]["videos"]
        await videos.create_indexes(library_indexes())
        await videos.insert_one({"owner_id": OWNERS[0], "file_id": 1, "title_terms": ["a"]})
    async with embedded_client(path) as client:
        videos = client["vidvault"]["videos"]
        found = await videos.find({"owner_id": OWNERS[0], "title_terms": "a"}).to_list()
        assert [doc["file_id"] for doc in found] == [1]
        with pytest.raises(DuplicateKeyError):
            await videos.insert_one({"file_id": 1})


@pytest.mark.skipif("MONGODB_URL" in os.environ, reason="about the embedded launcher")
async def test_videos_an_older_version_left_in_the_engine_move_at_start(tmp_path: Path) -> None:
    from mongoeco.api import AsyncMongoClient as InProcessClient
    from mongoeco.engines.sqlite import SQLiteEngine

    path = tmp_path / "old.sqlite3"
    owner = ObjectId()
    async with InProcessClient(SQLiteEngine(path=str(path))) as old:
        legacy = old["vidvault"]["videos"]
        await legacy.create_indexes(library_indexes())
        await legacy.insert_many(
            [
                {"owner_id": owner, "file_id": n, "title_terms": ["clip"], "size": n}
                for n in range(20)
            ]
        )
    for _ in range(2):  # the second start finds nothing left to move
        async with embedded_client(path) as client:
            moved = client["vidvault"]["videos"]
            query = {"owner_id": owner, "title_terms": "clip"}
            docs = await moved.find(query).sort([("size", -1), ("_id", -1)]).to_list()
            assert [doc["size"] for doc in docs] == list(range(19, -1, -1))
            names = {spec["name"] async for spec in await moved.list_indexes()}
            assert names == {"_id_", *(index.document["name"] for index in library_indexes())}
            with pytest.raises(DuplicateKeyError):
                await moved.insert_one({"file_id": 3})


@pytest.mark.skipif("MONGODB_URL" in os.environ, reason="about the embedded launcher")
async def test_uploads_in_progress_an_older_version_left_in_the_engine_move_at_start(
    tmp_path: Path,
) -> None:
    """`uploads` joined the document store later: an upload paused before then resumes."""
    from mongoeco.api import AsyncMongoClient as InProcessClient
    from mongoeco.engines.sqlite import SQLiteEngine

    path = tmp_path / "old.sqlite3"
    expires = datetime.now(UTC) + timedelta(hours=1)
    paused = {"_id": ObjectId(), "offset": 4096, "expires_at": expires, "lock": None}
    async with InProcessClient(SQLiteEngine(path=str(path))) as old:
        await old["vidvault"]["uploads"].create_index("expires_at", name="expires_at")
        await old["vidvault"]["uploads"].insert_one(paused)
    for offset in (4096, 8192):  # the second start finds nothing left to move
        async with embedded_client(path) as client:
            uploads = client["vidvault"]["uploads"]
            names = {spec["name"] async for spec in await uploads.list_indexes()}
            assert names == {"_id_", "expires_at"}
            # The app's claim (vidvault/uploads/resumable.py), then its release.
            now = datetime.now(UTC)
            unlocked = {"$or": [{"lock": None}, {"lock_until": {"$lt": now}}]}
            claim = {"_id": paused["_id"], "offset": offset, **unlocked}
            lock = {"lock": "t", "lock_until": now + timedelta(seconds=30)}
            before = await uploads.find_one_and_update(
                claim, {"$set": lock}, return_document=ReturnDocument.BEFORE
            )
            assert before is not None
            assert (before["offset"], before["lock"]) == (offset, None)
            assert await uploads.find_one_and_update(claim, {"$set": lock}) is None  # held now
            release = {"offset": offset + 4096, "lock": None, "lock_until": None}
            released = await uploads.update_one(
                {"_id": paused["_id"], "lock": "t"}, {"$set": release}
            )
            assert released.modified_count == 1
    async with InProcessClient(SQLiteEngine(path=str(path))) as old:
        assert "uploads" not in await old["vidvault"].list_collection_names()  # moved


@pytest.mark.skipif("MONGODB_URL" in os.environ, reason="about the embedded launcher")
async def test_a_document_the_store_refuses_is_kept_by_the_move(tmp_path: Path) -> None:
    """The older engine indexed a document our store refuses (it reads `a.b` and
    `a.c` under one array `a` as parallel arrays, code 171): the move drops nothing,
    it keeps the whole collection under another name, once."""
    from mongoeco.api import AsyncMongoClient as InProcessClient
    from mongoeco.engines.sqlite import SQLiteEngine

    path = tmp_path / "old.sqlite3"
    refused = {"_id": 0, "a": [{"b": 1, "c": 2}, {"b": 3, "c": 4}]}
    async with InProcessClient(SQLiteEngine(path=str(path))) as old:
        legacy = old["vidvault"]["videos"]
        await legacy.create_index([("a.b", 1), ("a.c", 1)], name="a_b_c")
        await legacy.insert_many([refused, {"_id": 1, "a": {"b": 5, "c": 6}}, {"_id": 2}])
    for _ in range(2):  # the second start moves nothing more and keeps nothing more
        async with embedded_client(path) as client:
            database = client["vidvault"]
            assert [doc["_id"] async for doc in database["videos"].find({}).sort("_id")] == [1, 2]
            names = await database.list_collection_names()
            kept = [name for name in names if name.startswith("videos.not_moved.")]
            assert len(kept) == 1
            assert await database[kept[0]].count_documents({}) == 3
            assert await database[kept[0]].find_one({"_id": 0}) == refused
