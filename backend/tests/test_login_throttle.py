"""Brute force: failed logins are throttled per account, with Retry-After."""

from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD, sign_up

LOGIN = "/api/v1/auth/login"
MAX_FAILURES = 3


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"login_max_failures": MAX_FAILURES, "login_window_seconds": 60}


async def _login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(LOGIN, data={"username": email, "password": password})


async def test_repeated_failures_lock_the_account_with_retry_after(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client, "ann@example.com")
    for _ in range(MAX_FAILURES):
        assert (await _login(client, "ann@example.com", "wrong-password")).status_code == 401
    locked = await _login(client, "ann@example.com", PASSWORD)
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 60
    assert locked.json()["detail"].startswith("Too many failed login attempts")


async def test_the_lock_is_per_account(client: httpx.AsyncClient) -> None:
    await sign_up(client, "ann@example.com")
    await sign_up(client, "bob@example.com")
    for _ in range(MAX_FAILURES):
        await _login(client, "ann@example.com", "wrong-password")
    assert (await _login(client, "bob@example.com", PASSWORD)).status_code == 200


async def test_a_success_clears_earlier_failures(client: httpx.AsyncClient) -> None:
    await sign_up(client, "ann@example.com")
    for _ in range(MAX_FAILURES - 1):
        await _login(client, "ann@example.com", "wrong-password")
    assert (await _login(client, "ann@example.com", PASSWORD)).status_code == 200
    for _ in range(MAX_FAILURES - 1):
        await _login(client, "ann@example.com", "wrong-password")
    assert (await _login(client, "ann@example.com", PASSWORD)).status_code == 200
