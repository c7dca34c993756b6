"""The embedded MongoDB stand-in: mongoeco's wire-protocol server in its own process.

Used when no MONGODB_URL is given (`make db`, `make run`, the tests). The
backend connects to it exactly as to MongoDB, through the wire protocol.

    python scripts/embedded_mongo.py --port 27017 --engine sqlite --path .data/vidvault.sqlite3
"""

import argparse
import asyncio
import signal
from pathlib import Path

from mongoeco.engines.memory import MemoryEngine
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.wire import AsyncMongoEcoProxyServer


def _engine(kind: str, path: Path) -> MemoryEngine | SQLiteEngine:
    if kind == "memory":
        return MemoryEngine()
    path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteEngine(path=str(path))


async def serve(host: str, port: int, kind: str, path: Path) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with AsyncMongoEcoProxyServer(engine=_engine(kind, path), host=host, port=port) as server:
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
    asyncio.run(serve(args.host, args.port, args.engine, args.path))


if __name__ == "__main__":
    main()
