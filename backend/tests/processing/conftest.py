"""A real worker process beside the in-process API, both on one test database."""

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Account
from tests.faults.processes import ServiceProcess, start_worker

PROCESSING_TIMEOUT_SECONDS = 90


@pytest.fixture(scope="module")
def processing_db() -> str:
    return f"vidvault_media_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def settings_overrides(processing_db: str) -> dict[str, Any]:
    # Every test's app uses the module's database, where the worker works.
    return {"mongodb_db": processing_db}


@pytest.fixture(scope="module")
def worker_settings() -> dict[str, Any]:
    """Override in a test module to change the worker's settings."""
    return {}


@pytest.fixture(scope="module")
def worker(
    mongodb_url: str, processing_db: str, worker_settings: dict[str, Any]
) -> Iterator[ServiceProcess]:
    process = start_worker(mongodb_url, processing_db, **worker_settings)
    try:
        yield process
    finally:
        process.stop()


async def video_of(client: httpx.AsyncClient, account: Account, video_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/videos/{video_id}", headers=account.headers)
    assert response.status_code == 200, response.text
    video: dict[str, Any] = response.json()
    return video


async def wait_until_processed(
    client: httpx.AsyncClient,
    account: Account,
    video_id: str,
    worker: ServiceProcess | None = None,
    within: float = PROCESSING_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """The video once its status is no longer `processing`."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        video = await video_of(client, account, video_id)
        if video["status"] != "processing":
            return video
        await asyncio.sleep(0.2)
    log = worker.log_text() if worker is not None else ""
    raise AssertionError(f"video {video_id} still processing after {within} s\n{log}")
