"""The embedded MongoDB stand-in: mongoeco's wire-protocol server in its own process.

Used when no MONGODB_URL is given (`make db`, `make run`, the tests). The
backend connects to it exactly as to MongoDB, through the wire protocol.

    python scripts/embedded_mongo.py --port 27017 --engine sqlite --path .data/vidvault.sqlite3

`--engine sqlite` (the default, persistent) keeps documents in mongoeco's
SQLite engine at `--path`, GridFS chunks in a chunk store of our own beside
it (`<path stem>.chunks.sqlite3`) and the `videos` collection, whose search
needs real compound and multikey indexes, in a document store of our own
(`<path stem>.documents.sqlite3`; see scripts/embedded/). `--engine memory`,
for the tests, keeps documents in mongoeco's memory engine and chunks and
videos in the same stores, without fsync, in scratch files that go with the
process (mongoeco's memory engine scans every chunk for each
chunk query and each insert: 28-36 ms per query with 1,024 stored; bench/NOTES.md).
"""

import argparse
import asyncio
import signal
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find `scripts`

from mongoeco.engines.memory import MemoryEngine
from mongoeco.engines.sqlite import SQLiteEngine

from scripts.embedded.chunk_store import ChunkStore
from scripts.embedded.doc_store import DocumentStore
from scripts.embedded.legacy_collections import move_legacy_collections
from scripts.embedded.scratch import scratch_directory
from scripts.embedded.server import EmbeddedMongoServer
from scripts.embedded.store_commands import chunk_backend, document_backend
from vidvault.core.allocator import keep_freed_buffers


def chunk_store_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.chunks.sqlite3")


def document_store_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.documents.sqlite3")


async def _persistent_server(host: str, port: int, path: Path) -> Any:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = SQLiteEngine(path=str(path))
    chunks = ChunkStore(chunk_store_path(path))
    documents = DocumentStore(document_store_path(path))
    await move_legacy_collections(engine, [chunk_backend(chunks), document_backend(documents)])
    return EmbeddedMongoServer(
        engine=engine, chunk_store=chunks, document_store=documents, host=host, port=port
    )


def _memory_server(host: str, port: int, scratch: Path) -> Any:
    return EmbeddedMongoServer(
        engine=MemoryEngine(),
        chunk_store=ChunkStore(scratch / "chunks.sqlite3", durable=False),
        document_store=DocumentStore(scratch / "documents.sqlite3", durable=False),
        host=host,
        port=port,
    )


async def serve(host: str, port: int, kind: str, path: Path) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    with ExitStack() as scratch:
        server = (
            _memory_server(host, port, scratch.enter_context(scratch_directory()))
            if kind == "memory"
            else await _persistent_server(host, port, path)
        )
        async with server:
            # The one line the launcher waits for: the server accepts connections from now on.
            print(f"embedded MongoDB ({kind}) listening on {server.address.uri}", flush=True)
            await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=27017, help="0 picks a free port")
    parser.add_argument("--engine", choices=("memory", "sqlite"), default="sqlite")
    parser.add_argument("--path", type=Path, default=Path(".data/vidvault.sqlite3"))
    args = parser.parse_args()
    keep_freed_buffers()  # every chunk insert and batch read passes multi-MiB buffers
    asyncio.run(serve(args.host, args.port, args.engine, args.path))


if __name__ == "__main__":
    main()
