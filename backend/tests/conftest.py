"""Fixtures: a real wire-protocol database, a fresh app per test, users and videos.

Without MONGODB_URL the suite starts the embedded stand-in (memory engine) as
its own process; with MONGODB_URL set, the same tests run against that server.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from pymongo.asynchronous.database import AsyncDatabase

from tests.embedded_db import start_embedded_mongo
from tests.media import encode_video
from vidvault.core.config import Settings
from vidvault.core.database import Database
from vidvault.core.security import TokenClaims, TokenType, encode_token
from vidvault.main import create_app
from vidvault.storage import FileStorage

TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
# Small chunks so that small real videos span many chunks and ranges cross boundaries.
TEST_CHUNK_SIZE = 4096
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def mongodb_url() -> Iterator[str]:
    if url := os.environ.get("MONGODB_URL"):
        yield url
        return
    server = start_embedded_mongo()
    try:
        yield server.url
    finally:
        server.stop()


def make_settings(mongodb_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "mongodb_url": mongodb_url,
        "mongodb_db": f"vidvault_test_{uuid.uuid4().hex[:12]}",
        "secret_key": TEST_SECRET,
        "gridfs_chunk_size": TEST_CHUNK_SIZE,
        "cors_origins": ["http://127.0.0.1:5173"],
        # Every test signs up from one address; the sign-up throttle has its own tests.
        "signup_max_attempts": 100_000,
        # On a loaded machine a hash can take seconds: only the tests of the hash
        # limit itself (which set their own) should ever see its 503.
        "password_hash_max_wait_seconds": 120,
    }
    return Settings(_env_file=None, **(values | overrides))


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module to change the app's settings."""
    return {}


@pytest.fixture
def settings(mongodb_url: str, settings_overrides: dict[str, Any]) -> Settings:
    return make_settings(mongodb_url, **settings_overrides)


PREPARE_TIMEOUT_SECONDS = 30


@asynccontextmanager
async def running(application: FastAPI) -> AsyncIterator[FastAPI]:
    """The app's lifespan, once the database is prepared (it starts without one)."""
    async with application.router.lifespan_context(application):
        database: Database = application.state.database
        await asyncio.wait_for(database.ready.wait(), PREPARE_TIMEOUT_SECONDS)
        yield application


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with running(application):
        try:
            yield application
        finally:
            database: Database = application.state.database
            await database.client.drop_database(settings.mongodb_db)


@pytest.fixture
def db(app: FastAPI) -> AsyncDatabase[dict[str, Any]]:
    database: Database = app.state.database
    return database.db


@pytest.fixture
def storage(app: FastAPI) -> FileStorage:
    database: Database = app.state.database
    return database.storage


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


Db = AsyncDatabase[dict[str, Any]]


async def stored_counts(db: Db) -> tuple[int, int, int]:
    """(fs.files, fs.chunks, videos) documents: all zero when nothing was left behind."""
    return (
        await db["fs.files"].count_documents({}),
        await db["fs.chunks"].count_documents({}),
        await db["videos"].count_documents({}),
    )


@dataclass
class Account:
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def sign_up(client: httpx.AsyncClient, email: str | None = None) -> Account:
    email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
    created = await client.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
    assert created.status_code == 201, created.text
    return await log_in(client, email)


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> Account:
    response = await client.post(
        "/api/v1/auth/login", data={"username": email, "password": password}
    )
    assert response.status_code == 200, response.text
    return Account(email, response.json()["access_token"])


def token_claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, TEST_SECRET, algorithms=["HS256"])
    return claims


def sign_like(
    token: str, token_type: TokenType, expires_in: timedelta, video_id: str | None = None
) -> str:
    """A correctly signed token for the same user and version, with other type and expiry."""
    claims = token_claims(token)
    return encode_token(
        TokenClaims(
            subject=claims["sub"],
            token_type=token_type,
            version=claims["ver"],
            expires_at=datetime.now(UTC) + expires_in,
            video_id=video_id or claims.get("vid"),
        ),
        TEST_SECRET,
    )


@pytest.fixture
async def alice(client: httpx.AsyncClient) -> Account:
    return await sign_up(client, "alice@example.com")


@pytest.fixture
async def bob(client: httpx.AsyncClient) -> Account:
    return await sign_up(client, "bob@example.com")


@pytest.fixture(scope="session")
def mp4_bytes() -> bytes:
    # About 40 KB: ten 4 KiB chunks and a partial one.
    return encode_video("mp4", seconds=2, size=128)


@pytest.fixture(scope="session")
def webm_bytes() -> bytes:
    return encode_video("webm", seconds=1, size=96)


async def upload(
    client: httpx.AsyncClient,
    account: Account,
    content: bytes,
    filename: str = "clip.mp4",
    title: str | None = None,
) -> httpx.Response:
    data = {"title": title} if title is not None else None
    return await client.post(
        "/api/v1/videos",
        headers=account.headers,
        files={"file": (filename, content, "application/octet-stream")},
        data=data,
    )


@pytest.fixture
async def alice_video(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> dict[str, Any]:
    response = await upload(client, alice, mp4_bytes, "holiday.mp4")
    assert response.status_code == 201, response.text
    video: dict[str, Any] = response.json()
    return video
