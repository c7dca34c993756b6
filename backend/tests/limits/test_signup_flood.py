"""Finding 1: sign-ups hashed without limit took the API past its memory limit.

Against a live API process: 40 concurrent sign-ups (from addresses the
throttle lets through) must cost at most a few argon2 buffers of memory, and
a login during the flood must still answer quickly.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.faults.processes import ApiProcess, start_api, unique_db_name
from tests.limits.measure import machine_slowdown, watch_rss
from vidvault.core.config import Settings

SIGNUPS = 40
MAX_RSS_GROWTH_MIB = 150
MAX_LOGIN_SECONDS = 1.0


@pytest.fixture
async def api(mongodb_url: str) -> AsyncIterator[ApiProcess]:
    # The default hash slots and wait; the per-address sign-up limit is lifted
    # (start_api does), so the hash limit itself is what is tested.
    process = start_api(
        mongodb_url,
        unique_db_name(),
        password_hash_max_wait_seconds=Settings.model_fields[
            "password_hash_max_wait_seconds"
        ].default,
    )
    try:
        yield process
    finally:
        process.stop()


async def test_a_signup_flood_stays_within_memory_and_logins_still_answer(
    api: ApiProcess,
) -> None:
    limits = httpx.Limits(max_connections=SIGNUPS + 5)
    async with httpx.AsyncClient(base_url=api.url, timeout=30, limits=limits) as http:
        await http.post(
            "/api/v1/auth/signup", json={"email": "erin@example.com", "password": PASSWORD}
        )
        # One login first, so the flood measures hashing, not the process's warm-up.
        login = {"username": "erin@example.com", "password": PASSWORD}
        assert (await http.post("/api/v1/auth/login", data=login)).status_code == 200
        slowdown = machine_slowdown()

        async def sign_up() -> httpx.Response:
            email = f"flood-{uuid.uuid4().hex[:10]}@example.com"
            return await http.post(
                "/api/v1/auth/signup", json={"email": email, "password": PASSWORD}
            )

        async def login_during_flood() -> tuple[int, float]:
            await asyncio.sleep(0.3)  # the flood is queued by now
            started = time.monotonic()
            response = await http.post("/api/v1/auth/login", data=login)
            return response.status_code, time.monotonic() - started

        async with watch_rss(api) as rss:
            during = asyncio.create_task(login_during_flood())
            flood = await asyncio.gather(*(sign_up() for _ in range(SIGNUPS)))
            login_status, login_seconds = await during
    codes = [r.status_code for r in flood]
    print(
        f"RSS {rss.baseline_mib:.0f} -> peak {rss.peak_mib:.0f} MiB "
        f"(+{rss.peak_growth_mib:.0f}); login {login_seconds:.2f} s "
        f"(machine loaded {slowdown:.1f}x); "
        f"{codes.count(201)} created, {codes.count(503)} told to retry"
    )
    assert set(codes) <= {201, 503}
    assert codes.count(201) >= 2
    busy = [r for r in flood if r.status_code == 503]
    assert all(int(r.headers["retry-after"]) >= 1 for r in busy)
    assert rss.peak_growth_mib < MAX_RSS_GROWTH_MIB
    assert login_status == 200
    assert login_seconds < MAX_LOGIN_SECONDS * slowdown
