"""Real API processes and real sockets, for the fault tests.

The in-process ASGI client cannot be killed halfway through a request, nor
lose a TCP connection; these helpers run the API as a separate process, as
every deployment runs it (`python -m vidvault.server`), over 127.0.0.1.
"""

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from pymongo import AsyncMongoClient

from tests.conftest import PASSWORD, TEST_SECRET, Db

BACKEND = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 30
CHUNK_SIZE = 256 * 1024
BOUNDARY = "fault-test-boundary"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ServiceProcess:
    """A backend process (the API or a worker) with its output in a log file."""

    process: subprocess.Popen[bytes]
    log: IO[bytes]
    env: dict[str, str] = field(repr=False)

    def log_text(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def rss_mib(self) -> float:
        """Resident memory of the API process now, in MiB (Linux /proc)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(kib) / 1024

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind runs in the process."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@dataclass
class ApiProcess(ServiceProcess):
    port: int = 0
    metrics_port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}/metrics"


def start_api(
    mongodb_url: str, mongodb_db: str, *, wait_ready: bool = True, **settings: object
) -> ApiProcess:
    """The API process, once it serves (and, with `wait_ready`, once /readyz is 200)."""
    port, metrics_port = free_port(), free_port()
    env = _service_env(mongodb_url, mongodb_db, settings | {"metrics_port": metrics_port})
    process, log = _spawn(
        [
            # As every deployment runs it: uvicorn with the server's own limits.
            *(sys.executable, "-m", "vidvault.server"),
            *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
        ],
        env,
        "api",
    )
    api = ApiProcess(process, log, env, port, metrics_port)
    _wait_until(api, "/readyz" if wait_ready else "/healthz")
    return api


# A worker that reacts fast: short leases and polls, short backoff.
QUICK_WORKER = {
    "job_lease_seconds": 3,
    "worker_poll_seconds": 0.2,
    "job_retry_base_seconds": 0.2,
    "worker_concurrency": 2,
}


def start_worker(mongodb_url: str, mongodb_db: str, **settings: object) -> ServiceProcess:
    """A `vidvault-worker` process; it is ready when it logs its first line."""
    env = _service_env(mongodb_url, mongodb_db, QUICK_WORKER | settings) | {"LOG_FORMAT": "text"}
    process, log = _spawn([sys.executable, "-m", "vidvault.media.worker"], env, "worker")
    worker = ServiceProcess(process, log, env)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while "worker " not in worker.log_text():
        if process.poll() is not None or time.monotonic() > deadline:
            output = worker.log_text()
            worker.stop()
            raise RuntimeError(f"the worker did not start:\n{output}")
        time.sleep(0.05)
    return worker


def _service_env(mongodb_url: str, mongodb_db: str, settings: dict[str, object]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB_", "SECRET_"))}
    env |= {
        "MONGODB_URL": mongodb_url,
        "MONGODB_DB": mongodb_db,
        "SECRET_KEY": TEST_SECRET,
        "ENVIRONMENT": "development",
        # Production-like chunks: the embedded server is slow with thousands of tiny ones.
        "GRIDFS_CHUNK_SIZE": str(CHUNK_SIZE),
        # Every test signs up from 127.0.0.1; the sign-up throttle has its own tests.
        "SIGNUP_MAX_ATTEMPTS": "100000",
        # A loaded machine hashes slowly; the hash limit's own test sets its default back.
        "PASSWORD_HASH_MAX_WAIT_SECONDS": "120",
    }
    return env | {name.upper(): str(value) for name, value in settings.items()}


def _spawn(
    command: list[str], env: dict[str, str], name: str
) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
    log = tempfile.NamedTemporaryFile(prefix=f"vidvault-{name}-", suffix=".log")  # noqa: SIM115
    process = subprocess.Popen(
        command,
        env=env,
        cwd=tempfile.gettempdir(),  # no stray .env is read
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log


def _wait_until(api: ApiProcess, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if api.process.poll() is not None:
            break
        try:
            if httpx.get(f"{api.url}{path}", timeout=1).status_code == 200:
                return
            time.sleep(0.1)
        except httpx.TransportError:
            time.sleep(0.1)
    api.stop()
    raise RuntimeError(f"the API process did not start:\n{api.log_text()}")


def unique_db_name() -> str:
    return f"vidvault_fault_{uuid.uuid4().hex[:12]}"


async def direct_db(mongodb_url: str, name: str) -> tuple[AsyncMongoClient[dict[str, Any]], Db]:
    """The test's own connection, to see what the API process left in the database."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongodb_url, serverSelectionTimeoutMS=3000
    )
    return client, client[name]


async def wait_for(predicate: Any, within: float, what: str, interval: float = 0.1) -> float:
    """Seconds until the async predicate holds; fails after `within` seconds."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if await predicate():
            return time.monotonic() - started
        await asyncio.sleep(interval)
    raise AssertionError(f"{what}: not within {within} s")


async def access_token(api: ApiProcess, email: str | None = None) -> str:
    email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
    async with httpx.AsyncClient(base_url=api.url, timeout=30) as http:
        signup = await http.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
        assert signup.status_code == 201, signup.text
        login = await http.post(
            "/api/v1/auth/login", data={"username": email, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        token: str = login.json()["access_token"]
        return token


def multipart_body(content: bytes, filename: str = "clip.mp4") -> bytes:
    return (
        (
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def upload_head(api: ApiProcess, token: str, content_length: int) -> bytes:
    return (
        "POST /api/v1/videos HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{api.port}\r\n"
        f"Authorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {content_length}\r\n"
        "Connection: close\r\n"
        "\r\n"
    ).encode()


class RawUpload:
    """An upload over a raw socket, sent as far as the test wants, then abandoned or finished."""

    def __init__(self, api: ApiProcess, token: str, body: bytes) -> None:
        self.api, self.token, self.body = api, token, body
        self.sent = 0
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.api.port)
        self.writer.write(upload_head(self.api, self.token, len(self.body)))

    async def send_until(self, fraction: float, piece: int = 16 * 1024) -> None:
        assert self.writer is not None
        stop = int(len(self.body) * fraction)
        while self.sent < stop:
            end = min(self.sent + piece, stop)
            self.writer.write(self.body[self.sent : end])
            await self.writer.drain()
            self.sent = end

    def vanish(self) -> None:
        assert self.writer is not None
        self.writer.transport.abort()

    async def finish(self) -> tuple[int, bytes]:
        """Send the rest (as far as the server reads it) and return the status and body."""
        assert self.reader is not None and self.writer is not None
        # The server may answer early and close; its answer is still readable.
        with contextlib.suppress(ConnectionError):
            await self.send_until(1.0)
        return await read_response(self.reader, self.writer)


async def read_response(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> tuple[int, bytes]:
    try:
        raw = await asyncio.wait_for(reader.read(-1), timeout=30)
    except ConnectionError:
        raw = b""
    finally:
        writer.close()
    if not raw:
        return 0, b""  # the connection ended without an answer
    status = int(raw.split(b" ", 2)[1])
    return status, raw.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in raw else b""
