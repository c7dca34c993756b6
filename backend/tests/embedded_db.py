"""Start the embedded MongoDB stand-in as a separate process for tests and benchmarks.

EMBEDDED_DB_ENGINE=sqlite runs the suite on the persistent default engine
(`make run`'s) instead of the memory engine, in a temporary directory.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

type Doc = dict[str, Any]

BACKEND = Path(__file__).resolve().parents[1]
LAUNCHER = BACKEND / "scripts" / "embedded_mongo.py"
READY_LINE = re.compile(r"listening on (mongodb://\S+)")
START_TIMEOUT_SECONDS = 60


@dataclass
class EmbeddedMongo:
    process: subprocess.Popen[str]
    url: str
    scratch: Path | None = None  # a temporary data directory, removed on stop

    @property
    def port(self) -> int:
        return int(self.url.split(":")[2].split("/")[0])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to flush or close anything."""
        self.process.kill()
        self.process.wait()


def default_engine() -> str:
    return os.environ.get("EMBEDDED_DB_ENGINE", "memory")


def start_embedded_mongo(
    port: int = 0, engine: str | None = None, path: Path | None = None, launcher: Path = LAUNCHER
) -> EmbeddedMongo:
    """`path` is the SQLite engine's file: data there survives a restart.

    `launcher`: a script taking the same arguments (the bench seeds through its own).
    """
    engine = engine or default_engine()
    scratch = None
    if engine == "sqlite" and path is None:
        scratch = Path(tempfile.mkdtemp(prefix="vidvault-db-"))
        path = scratch / "vidvault.sqlite3"
    extra = ["--path", str(path)] if path is not None else []
    process = subprocess.Popen(
        [sys.executable, str(launcher), "--port", str(port), "--engine", engine, *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if match := READY_LINE.search(line):
            process.stdout.close()  # it prints nothing more; an open pipe would leak
            return EmbeddedMongo(process, match.group(1), scratch)
        if not line and process.poll() is not None:
            break
    process.kill()
    process.wait()
    process.stdout.close()
    raise RuntimeError("the embedded MongoDB did not start")


def conformance_engines() -> list[str]:
    """Where a conformance test runs: both embedded engines, or only MONGODB_URL's server."""
    return ["external"] if os.environ.get("MONGODB_URL") else ["memory", "sqlite"]


@contextmanager
def served(engine: str) -> Iterator[str]:
    """The URL of a server of this kind (a fresh embedded one, or MONGODB_URL's)."""
    if engine == "external":
        yield os.environ["MONGODB_URL"]
        return
    server = start_embedded_mongo(engine=engine)
    try:
        yield server.url
    finally:
        server.stop()


@asynccontextmanager
async def embedded_client(
    path: Path, *, kill: bool = False
) -> AsyncIterator[AsyncMongoClient[Doc]]:
    """A client of a fresh persistent-engine server on the file `path`, stopped afterwards.

    `kill`: end the server with SIGKILL instead, as a crash would.
    """
    server = start_embedded_mongo(engine="sqlite", path=path)
    client: AsyncMongoClient[Doc] = AsyncMongoClient(server.url)
    try:
        yield client
    finally:
        await client.close()
        if kill:
            server.kill()
        else:
            server.stop()


@asynccontextmanager
async def scratch_database(url: str, prefix: str) -> AsyncIterator[AsyncDatabase[Doc]]:
    """A database of its own on the server, dropped afterwards."""
    client: AsyncMongoClient[Doc] = AsyncMongoClient(url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()
