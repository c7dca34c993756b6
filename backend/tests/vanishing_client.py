"""A client that sends part of an upload and then disconnects, at the ASGI level."""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI

from tests.conftest import Account

BOUNDARY = b"cut-boundary"
PIECE_BYTES = 3000


def _multipart_body(content: bytes) -> bytes:
    return (
        b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"'
        b"\r\n\r\n" + content + b"\r\n--" + BOUNDARY + b"--\r\n"
    )


def _scope(account: Account, declared_length: int) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/videos",
        "raw_path": b"/api/v1/videos",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", f"Bearer {account.token}".encode()),
            (b"content-type", b"multipart/form-data; boundary=" + BOUNDARY),
            (b"content-length", str(declared_length).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }


async def upload_then_vanish(
    app: FastAPI,
    account: Account,
    content: bytes,
    fraction: float,
    at_disconnect: Callable[[], Awaitable[None]] | None = None,
) -> list[int]:
    """Send `fraction` of an upload's body, then disconnect; the statuses the app sent.

    `at_disconnect` runs just before the disconnect reaches the app.
    """
    body = _multipart_body(content)
    sent = body[: int(len(body) * fraction)]
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": sent[i : i + PIECE_BYTES], "more_body": True}
        for i in range(0, len(sent), PIECE_BYTES)
    ]
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        if at_disconnect is not None:
            await at_disconnect()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(_scope(account, len(body)), receive, send)
    return statuses
