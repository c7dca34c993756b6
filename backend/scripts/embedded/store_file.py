"""One SQLite file of the embedded database's own stores (chunks, documents).

A writer connection behind a lock, one reader connection per thread. WAL
with `synchronous=FULL` when durable: every write command is on disk before
it is acknowledged. Without durability (the memory engine's scratch files),
`synchronous=OFF`: no fsync at all, the data dies with the process anyway.

Every method is synchronous; the wire layer calls them in worker threads.
"""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PAGE_SIZE = 65536  # fewer overflow pages per 1 MiB chunk


class StoreFile:
    def __init__(self, path: Path, schema: str, *, durable: bool = True) -> None:
        self._path = path
        self._synchronous = "FULL" if durable else "OFF"
        self._write_lock = threading.Lock()
        self._readers = threading.local()
        self._all_readers: list[sqlite3.Connection] = []
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = self._connect()
        self._writer.executescript(schema)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        connection.execute(f"PRAGMA page_size={PAGE_SIZE}")  # only takes effect on a new file
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={self._synchronous}")
        connection.execute("PRAGMA busy_timeout=30000")
        return connection

    def close(self) -> None:
        with self._write_lock:
            for connection in [self._writer, *self._all_readers]:
                connection.close()

    def reader(self) -> sqlite3.Connection:
        """This thread's connection for reads; WAL readers never block the writer."""
        connection: sqlite3.Connection | None = getattr(self._readers, "connection", None)
        if connection is None:
            connection = self._connect()
            self._readers.connection = connection
            self._all_readers.append(connection)
        return connection

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One transaction; reads inside it see its own writes, and no other writer runs."""
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")
