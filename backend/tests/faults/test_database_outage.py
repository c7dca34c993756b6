"""The database goes away with streams and uploads in progress, then comes back.

A real API process against an embedded server on the SQLite engine (so the
data survives the restart), stopped and restarted on the same port while the
API keeps running.
"""

import asyncio
import contextlib
import os
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Db, stored_counts
from tests.embedded_db import EmbeddedMongo, start_embedded_mongo
from tests.faults.processes import (
    CHUNK_SIZE,
    ApiProcess,
    RawUpload,
    access_token,
    direct_db,
    free_port,
    multipart_body,
    start_api,
    unique_db_name,
    wait_for,
)

pytestmark = pytest.mark.skipif(
    os.environ.get("MONGODB_URL") is not None,
    reason="stops and restarts a database of its own; needs the embedded server",
)

UNAVAILABLE = {"detail": "The database is unavailable; try again shortly"}
READY_WITHIN = 5.0
RECOVER_WITHIN = 10.0
STREAM_ENDS_WITHIN = 5.0
GRACE_SECONDS = 10


class SlowReader:
    """A stream client that stops reading, as a paused <video> does."""

    def __init__(self, api: ApiProcess, path: str) -> None:
        self.api, self.path = api, path
        self.length = 0
        self.received = 0

    async def open(self) -> None:
        sock = socket.socket()
        # A small window, so the server cannot push the whole video into buffers.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        sock.connect(("127.0.0.1", self.api.port))
        sock.setblocking(False)
        self.reader, self.writer = await asyncio.open_connection(sock=sock)
        self.writer.write(
            f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        for line in head.decode().split("\r\n"):
            if line.lower().startswith("content-length:"):
                self.length = int(line.split(":")[1])
        self.received = len(await self.reader.readexactly(64 * 1024))

    async def read_to_the_end(self) -> float:
        started = time.monotonic()
        try:
            while data := await self.reader.read(256 * 1024):
                self.received += len(data)
        except ConnectionError:
            pass
        finally:
            self.writer.close()
        return time.monotonic() - started


async def _status(api: ApiProcess, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=api.url, timeout=15) as http:
        return await http.request(method, path, **kwargs)


async def _seconds_until(
    api: ApiProcess, path: str, status: int, within: float, **kw: Any
) -> float:
    async def answered() -> bool:
        try:
            return (await _status(api, "GET", path, **kw)).status_code == status
        except httpx.TransportError:
            return False

    return await wait_for(answered, within, f"{path} answering {status}", interval=0.2)


def _api_sweeping_often(server: EmbeddedMongo, name: str) -> ApiProcess:
    return start_api(
        server.url,
        name,
        db_timeout_ms=1000,
        # Longer than the embedded database takes to store one write batch of an
        # upload, or the sweeper would take a live upload's chunks for a crash's.
        orphan_grace_seconds=GRACE_SECONDS,
        sweep_interval_seconds=0.5,
    )


async def test_streams_end_uploads_fail_cleanly_and_the_api_recovers(
    tmp_path: Path, mp4_bytes: bytes
) -> None:
    path = tmp_path / "outage.sqlite3"
    server: EmbeddedMongo = start_embedded_mongo(engine="sqlite", path=path)
    port = server.port
    name = unique_db_name()
    api = _api_sweeping_often(server, name)
    try:
        await _outage(api, server, port, path, name, mp4_bytes)
    except BaseException:
        print(api.log_text()[-3000:])  # the API's side of a failure
        raise
    finally:
        api.stop()
        server.stop()


async def _outage(
    api: ApiProcess, server: EmbeddedMongo, port: int, path: Path, name: str, mp4: bytes
) -> None:
    token = await access_token(api)
    auth = {"Authorization": f"Bearer {token}"}
    # Far more than socket buffers hold, so the stream still needs the database.
    video_bytes = mp4 + os.urandom(16 * 1024 * 1024)
    created = await _status(
        api, "POST", "/api/v1/videos", headers=auth, files={"file": ("v.mp4", video_bytes)}
    )
    assert created.status_code == 201, created.text
    video = created.json()
    client, db = await direct_db(server.url, name)
    try:
        baseline = await stored_counts(db)
        assert baseline == (1, -(-len(video_bytes) // CHUNK_SIZE), 1)

        upload = RawUpload(api, token, multipart_body(mp4 + os.urandom(20 * 1024 * 1024)))
        await upload.open()
        await _send_until_stored(upload, db, baseline[1])
        stream = SlowReader(api, video["stream_url"])
        await stream.open()

        # The database goes away: killed, as by the OOM killer or a lost node.
        server.process.kill()
        server.process.wait()
        stream_ended, ready_503, (upload_status, upload_body) = await asyncio.gather(
            stream.read_to_the_end(),
            _seconds_until(api, "/readyz", 503, READY_WITHIN),
            upload.finish(),
        )
        print(
            f"DB down: stream ended {stream_ended:.2f} s after the DB stopped "
            f"({stream.received}/{stream.length} bytes); /readyz 503 after {ready_503:.2f} s; "
            f"upload answered {upload_status or 'connection closed'}"
        )
        assert stream_ended < STREAM_ENDS_WITHIN
        assert stream.received < stream.length  # really cut short, not already sent
        # The answer may be lost when the server closes on the unread rest of the
        # body; the server's own access log says what it answered.
        assert upload_status in {0, 503}, upload_body
        assert "POST /api/v1/videos -> 503" in api.log_text()
        await _db_routes_answer_503(api, auth, video)

        # The database comes back on the same port, with its data; the API is not restarted.
        restarted = start_embedded_mongo(port=port, engine="sqlite", path=path)
        try:
            ready = await _seconds_until(api, "/readyz", 200, RECOVER_WITHIN)
            listed = await _seconds_until(api, "/api/v1/videos", 200, RECOVER_WITHIN, headers=auth)
            print(f"DB back: /readyz 200 after {ready:.2f} s, the library after {listed:.2f} s")
            await _nothing_half_written_remains(api, db, baseline, video, video_bytes)
        finally:
            restarted.stop()
        log = api.log_text()
        assert " -> 500 " not in log, log
    finally:
        await client.close()


async def _send_until_stored(upload: RawUpload, db: Db, chunks_before: int) -> None:
    for step in range(1, 20):
        await upload.send_until(step / 20)
        await asyncio.sleep(0.3)
        if await db["fs.chunks"].count_documents({}) > chunks_before:
            return
    raise AssertionError("the upload stored nothing before the end of its body")


async def _db_routes_answer_503(
    api: ApiProcess, auth: dict[str, str], video: dict[str, Any]
) -> None:
    video_path = f"/api/v1/videos/{video['id']}"
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/api/v1/users/me", {"headers": auth}),
        ("GET", "/api/v1/videos", {"headers": auth}),
        ("GET", video_path, {"headers": auth}),
        ("PATCH", video_path, {"headers": auth, "json": {"title": "x"}}),
        ("DELETE", video_path, {"headers": auth}),
        ("GET", video["stream_url"], {}),
        ("POST", "/api/v1/auth/login", {"data": {"username": "a@example.com", "password": "x"}}),
        (
            "POST",
            "/api/v1/auth/signup",
            {"json": {"email": "b@example.com", "password": "12345678"}},
        ),
        ("POST", "/api/v1/videos", {"headers": auth, "files": {"file": ("a.mp4", b"x" * 100)}}),
    ]
    for method, route, kwargs in requests:
        started = time.monotonic()
        response = await _status(api, method, route, **kwargs)
        assert (response.status_code, response.json()) == (503, UNAVAILABLE), (method, route)
        assert time.monotonic() - started < 5
    assert (await _status(api, "GET", "/healthz")).status_code == 200


async def _nothing_half_written_remains(
    api: ApiProcess, db: Db, baseline: tuple[int, int, int], video: dict[str, Any], content: bytes
) -> None:
    async def back_to_baseline() -> bool:
        return await stored_counts(db) == baseline

    swept = await wait_for(
        back_to_baseline, GRACE_SECONDS + 10, "the failed upload's leftovers swept"
    )
    print(f"DB back: the failed upload's leftovers were gone {swept:.2f} s after recovery")
    streamed = await _status(api, "GET", video["stream_url"])
    assert streamed.status_code == 200
    assert streamed.content == content


async def test_the_api_starts_before_the_database_and_becomes_ready_by_itself() -> None:
    port = free_port()  # nothing listens there yet
    api = start_api(
        f"mongodb://127.0.0.1:{port}/?directConnection=true",
        unique_db_name(),
        wait_ready=False,
        db_timeout_ms=500,
    )
    server: EmbeddedMongo | None = None
    try:
        assert (await _status(api, "GET", "/healthz")).status_code == 200
        ready = await _status(api, "GET", "/readyz")
        assert (ready.status_code, ready.json()) == (503, UNAVAILABLE)
        signup = {"json": {"email": "early@example.com", "password": "12345678"}}
        early = await _status(api, "POST", "/api/v1/auth/signup", **signup)
        assert (early.status_code, early.json()) == (503, UNAVAILABLE)
        await asyncio.sleep(2)  # a few failed attempts: the process must still be there
        assert api.process.poll() is None

        server = start_embedded_mongo(port=port)
        became_ready = await _seconds_until(api, "/readyz", 200, RECOVER_WITHIN)
        print(f"database started: /readyz 200 after {became_ready:.2f} s, no restart")
        assert (await _status(api, "POST", "/api/v1/auth/signup", **signup)).status_code == 201
        assert api.process.poll() is None
    finally:
        api.stop()
        if server is not None:
            server.stop()


def _integrity(path: Path) -> list[str]:
    """SQLite's own check of a store file, read-only beside the running server."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]


async def test_a_database_killed_mid_upload_loses_no_completed_video(
    tmp_path: Path, mp4_bytes: bytes
) -> None:
    path = tmp_path / "durable.sqlite3"
    server = start_embedded_mongo(engine="sqlite", path=path)
    name = unique_db_name()
    api = _api_sweeping_often(server, name)
    restarted: EmbeddedMongo | None = None
    try:
        token = await access_token(api)
        auth = {"Authorization": f"Bearer {token}"}
        completed = {}
        for index in range(3):
            content = mp4_bytes + os.urandom(3 * 1024 * 1024 + index * 12345)
            created = await _status(
                api, "POST", "/api/v1/videos", headers=auth, files={"file": ("v.mp4", content)}
            )
            assert created.status_code == 201, created.text
            completed[created.json()["id"]] = content
        client, db = await direct_db(server.url, name)
        baseline = await stored_counts(db)
        await client.close()

        upload = RawUpload(api, token, multipart_body(mp4_bytes + os.urandom(24 * 1024 * 1024)))
        await upload.open()
        client, db = await direct_db(server.url, name)
        await _send_until_stored(upload, db, baseline[1])
        await client.close()
        server.kill()  # SIGKILL while the upload's chunks are being written
        upload.vanish()

        restarted = start_embedded_mongo(port=server.port, engine="sqlite", path=path)
        # mongoeco's documents, GridFS chunks, the videos collection
        stores = [path, *(tmp_path / f"durable.{kind}.sqlite3" for kind in ("chunks", "documents"))]
        for store in stores:
            assert store.exists() and _integrity(store) == ["ok"], store
        await _seconds_until(api, "/readyz", 200, RECOVER_WITHIN)
        for video_id, content in completed.items():
            described = await _status(api, "GET", f"/api/v1/videos/{video_id}", headers=auth)
            streamed = await _status(api, "GET", described.json()["stream_url"])
            assert (streamed.status_code, streamed.content == content) == (200, True), video_id

        client, db = await direct_db(restarted.url, name)
        try:

            async def only_completed_left() -> bool:
                return await stored_counts(db) == baseline

            swept = await wait_for(
                only_completed_left, GRACE_SECONDS + 10, "interrupted upload swept"
            )
            print(f"DB killed mid-upload: the partial upload was swept {swept:.2f} s after restart")
        finally:
            await client.close()
    except BaseException:
        print(api.log_text()[-3000:])
        raise
    finally:
        api.stop()
        (restarted or server).stop()
