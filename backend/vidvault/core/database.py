"""The MongoDB connection: one async client per process, Beanie on top.

The backend only ever speaks the wire protocol through `MONGODB_URL`, so the
embedded stand-in and a real MongoDB are interchangeable.
"""

from dataclasses import dataclass
from typing import Any

from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from vidvault.core.config import Settings
from vidvault.storage import FileStorage

type Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Database:
    client: AsyncMongoClient[Doc]
    db: AsyncDatabase[Doc]
    storage: FileStorage

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


async def open_database(settings: Settings, document_models: list[type[Any]]) -> Database:
    client = _connect(settings)
    db = client[settings.mongodb_db]
    storage = FileStorage(db, settings.gridfs_chunk_size)
    try:
        await init_beanie(database=db, document_models=document_models)
        await storage.ensure_indexes()
    except BaseException:
        await client.close()
        raise
    return Database(client=client, db=db, storage=storage)
