"""Brute force: failed logins are throttled per client and per account, with Retry-After.

The throttles must protect users rather than lock them out: a throttled
client adds nothing to an account's count, a lockout from one address does
not reach the owner elsewhere, and junk usernames write no counters.
"""

from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD, Db, sign_up
from vidvault.auth.throttle import ACCOUNT_FAILURE_FACTOR, CLIENT_FAILURE_FACTOR

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


def _from(client: httpx.AsyncClient, address: str) -> httpx.AsyncClient:
    client._transport.client = (address, 40000)  # type: ignore[attr-defined]
    return client


async def _spray_until_throttled(client: httpx.AsyncClient, address: str) -> None:
    """One wrong guess per made-up account until the address itself is throttled."""
    for i in range(MAX_FAILURES * CLIENT_FAILURE_FACTOR):
        response = await _login(_from(client, address), f"nobody{i}@example.com", "guess")
        assert response.status_code == 401
    response = await _login(_from(client, address), "nobody@example.com", "guess")
    assert response.status_code == 429


async def test_a_throttled_client_never_adds_to_an_accounts_count(
    client: httpx.AsyncClient, db: Db
) -> None:
    await sign_up(client, "erin@example.com")
    await _spray_until_throttled(client, "203.0.113.50")
    # The audit's attack: guesses for erin from an address that already gets 429.
    for _ in range(MAX_FAILURES * 4):
        guess = await _login(_from(client, "203.0.113.50"), "erin@example.com", "wrong-password")
        assert guess.status_code == 429
    erins = db["throttle_counters"].find({"_id": {"$regex": "erin"}})
    assert [entry["attempts"] async for entry in erins] in ([], [0])  # sign_up's login, taken back
    # Erin, from a fresh address, logs in.
    assert (
        await _login(_from(client, "198.51.100.7"), "erin@example.com", PASSWORD)
    ).status_code == 200


async def test_a_lockout_from_one_address_leaves_the_owner_elsewhere_alone(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client, "erin@example.com")
    for _ in range(MAX_FAILURES):
        await _login(_from(client, "203.0.113.50"), "erin@example.com", "wrong-password")
    assert (
        await _login(_from(client, "203.0.113.50"), "erin@example.com", PASSWORD)
    ).status_code == 429
    assert (
        await _login(_from(client, "198.51.100.7"), "erin@example.com", PASSWORD)
    ).status_code == 200


async def test_guessing_from_many_addresses_still_locks_the_account_within_reason(
    client: httpx.AsyncClient,
) -> None:
    # The per-address limit alone would let each new address guess afresh;
    # the account as a whole takes ACCOUNT_FAILURE_FACTOR times as many.
    await sign_up(client, "erin@example.com")
    total = MAX_FAILURES * ACCOUNT_FAILURE_FACTOR
    for i in range(total):
        address = f"198.18.{i // MAX_FAILURES}.1"
        response = await _login(_from(client, address), "erin@example.com", "wrong-password")
        assert response.status_code == 401
    fresh = await _login(_from(client, "192.0.2.200"), "erin@example.com", PASSWORD)
    assert fresh.status_code == 429


@pytest.mark.parametrize(
    "username", ["x" * 60_000, "erin", "erin@", "@example.com", "a" * 250 + "@example.com"]
)
async def test_a_username_that_is_no_email_is_422_and_writes_no_counter(
    client: httpx.AsyncClient, db: Db, username: str
) -> None:
    response = await _login(client, username, "wrong-password")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "username"]
    assert await db["throttle_counters"].count_documents({}) == 0


async def test_ipv6_clients_are_counted_by_their_64_prefix(client: httpx.AsyncClient) -> None:
    await _spray_until_throttled(client, "2001:db8:1:2::1")
    # Another address in the same /64 is the same client...
    same = await _login(_from(client, "2001:db8:1:2:ffff:ffff:ffff:fffe"), "a@example.com", "x" * 8)
    assert same.status_code == 429
    # ...one in the next /64 is not.
    other = await _login(_from(client, "2001:db8:1:3::1"), "a@example.com", "x" * 8)
    assert other.status_code == 401


async def test_a_full_width_email_logs_in_to_the_same_account(client: httpx.AsyncClient) -> None:
    await sign_up(client, "erin@example.com")
    full_width = "\uff45\uff52\uff49\uff4e@EXAMPLE.com"  # "erin" in full-width letters
    assert (await _login(client, full_width, PASSWORD)).status_code == 200
