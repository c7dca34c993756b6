"""Liveness and readiness, including a database that goes away."""

import asyncio

import httpx
import pytest

from tests.conftest import make_settings, running
from tests.embedded_db import start_embedded_mongo
from vidvault.main import create_app


async def test_liveness(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_with_the_database_up(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200


@pytest.mark.skipif(
    __import__("os").environ.get("MONGODB_URL") is not None,
    reason="stops a database of its own; needs the embedded server",
)
async def test_readiness_and_db_routes_answer_503_while_the_database_is_gone() -> None:
    server = start_embedded_mongo()
    app = create_app(make_settings(server.url, db_timeout_ms=500))
    try:
        async with running(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                assert (await client.get("/readyz")).status_code == 200
                server.stop()
                ready = await client.get("/readyz")
                assert ready.status_code == 503
                assert ready.json() == {"detail": "The database is unavailable; try again shortly"}
                signup = await client.post(
                    "/api/v1/auth/signup", json={"email": "a@example.com", "password": "12345678"}
                )
                assert signup.status_code == 503
                # Back on the same port, the same app recovers without a restart
                # (and the driver's monitor reconnects before the client closes).
                server = start_embedded_mongo(port=server.port)
                assert await _ready_within(client, seconds=10)
    finally:
        server.stop()


async def _ready_within(client: httpx.AsyncClient, seconds: float) -> bool:
    for _ in range(int(seconds / 0.1)):
        if (await client.get("/readyz")).status_code == 200:
            return True
        await asyncio.sleep(0.1)
    return False
