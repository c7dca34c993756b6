"""The MongoDB connection: one async client per process, Beanie on top.

The backend only ever speaks the wire protocol through `MONGODB_URL`, so the
embedded stand-in and a real MongoDB are interchangeable.
"""

from dataclasses import dataclass
from typing import Any

from beanie import init_beanie
from gridfs import AsyncGridFSBucket
from pymongo import ASCENDING, AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from vidvault.core.config import Settings

type Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class GridFSStore:
    """The GridFS bucket's collections, for code that reads or writes chunks itself."""

    files: AsyncCollection[Doc]
    chunks: AsyncCollection[Doc]
    chunk_size: int  # for new files; a stored file records its own


@dataclass(frozen=True, slots=True)
class Database:
    client: AsyncMongoClient[Doc]
    db: AsyncDatabase[Doc]
    bucket: AsyncGridFSBucket
    gridfs: GridFSStore

    async def ping(self) -> None:
        await self.db.command("ping")

    async def close(self) -> None:
        await self.client.close()


def _connect(settings: Settings) -> AsyncMongoClient[Doc]:
    timeout = settings.db_timeout_ms
    return AsyncMongoClient(
        settings.mongodb_url,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout,
        connectTimeoutMS=timeout,
        # Reads of a chunk batch must never hang a stream forever on a dead server.
        socketTimeoutMS=max(timeout * 5, 10_000),
        appname="vidvault",
    )


async def _ensure_gridfs_indexes(db: AsyncDatabase[Doc]) -> None:
    # Created up front (the driver creates them lazily only on first write):
    # every ranged read relies on the (files_id, n) index.
    await db["fs.chunks"].create_index(
        [("files_id", ASCENDING), ("n", ASCENDING)], unique=True, name="files_id_1_n_1"
    )
    await db["fs.files"].create_index(
        [("filename", ASCENDING), ("uploadDate", ASCENDING)], name="filename_1_uploadDate_1"
    )


async def open_database(settings: Settings, document_models: list[type[Any]]) -> Database:
    client = _connect(settings)
    db = client[settings.mongodb_db]
    try:
        await init_beanie(database=db, document_models=document_models)
        await _ensure_gridfs_indexes(db)
    except BaseException:
        await client.close()
        raise
    bucket = AsyncGridFSBucket(db, chunk_size_bytes=settings.gridfs_chunk_size)
    store = GridFSStore(db["fs.files"], db["fs.chunks"], settings.gridfs_chunk_size)
    return Database(client=client, db=db, bucket=bucket, gridfs=store)
