"""Liveness and readiness, including a database that goes away."""

import httpx
import pytest

from tests.conftest import make_settings
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
async def test_readiness_and_db_routes_answer_503_when_the_database_is_gone() -> None:
    server = start_embedded_mongo()
    app = create_app(make_settings(server.url, db_timeout_ms=500))
    try:
        async with app.router.lifespan_context(app):
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
    finally:
        server.stop()
