"""The MongoDB connection: one async client per process, Beanie on top.

The backend only ever speaks the wire protocol through `MONGODB_URL`, so the
embedded stand-in and a real MongoDB are interchangeable.

The process does not need the database to start: the client connects lazily,
and Beanie and the indexes are set up in the background, retried with
backoff, until they succeed. Until then `Database.ready` is unset and every
route that needs the database answers 503 (see core/dependencies.py).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from vidvault.core.config import Settings
from vidvault.storage import FileStorage

logger = logging.getLogger(__name__)

type Doc = dict[str, Any]

FIRST_RETRY_SECONDS = 0.25
MAX_RETRY_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Database:
    client: AsyncMongoClient[Doc]
    db: AsyncDatabase[Doc]
    storage: FileStorage
    ready: asyncio.Event = field(default_factory=asyncio.Event)  # set once prepared

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


def connect_database(settings: Settings) -> Database:
    """The handle, without any I/O: the driver connects on first use."""
    client = _connect(settings)
    db = client[settings.mongodb_db]
    storage = FileStorage(db, settings.gridfs_chunk_size, settings.chunk_read_memory_bytes)
    return Database(client=client, db=db, storage=storage)


type Migration = Callable[[AsyncDatabase[Doc]], Awaitable[object]]


async def prepare_database(
    database: Database, document_models: list[type[Any]], migrations: Sequence[Migration] = ()
) -> None:
    """Beanie, the indexes, then the idempotent start-up migrations; marks the database ready.

    Raises PyMongoError if the database is not there.
    """
    await init_beanie(database=database.db, document_models=document_models)
    await database.storage.ensure_indexes()
    for migrate in migrations:
        await migrate(database.db)
    database.ready.set()


async def prepare_until_ready(
    database: Database, document_models: list[type[Any]], migrations: Sequence[Migration] = ()
) -> None:
    """Prepare the database, retrying with exponential backoff until it answers."""
    delay = FIRST_RETRY_SECONDS
    while True:
        try:
            await prepare_database(database, document_models, migrations)
        except PyMongoError as error:
            logger.warning("database not ready (%s); retrying in %.2f s", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)
        else:
            logger.info("database ready")
            return


async def open_database(settings: Settings, document_models: list[type[Any]]) -> Database:
    """Connect and prepare now (for tools and tests that need the database at once)."""
    database = connect_database(settings)
    try:
        await prepare_database(database, document_models)
    except BaseException:
        await database.close()
        raise
    return database
