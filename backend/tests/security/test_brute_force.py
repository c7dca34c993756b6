"""Brute force across replicas: two app instances on one database share the counters."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import httpx
import pytest

from tests.conftest import PASSWORD, make_settings, running
from vidvault.core.config import Settings
from vidvault.core.database import open_database
from vidvault.main import create_app

LOGIN = "/api/v1/auth/login"
SIGNUP = "/api/v1/auth/signup"
MAX_FAILURES = 4
SHORT_WINDOW_SECONDS = 6


type Replicas = list[httpx.AsyncClient]
type ReplicaFactory = Callable[[int], Awaitable[Replicas]]


@pytest.fixture
async def start_replicas(mongodb_url: str) -> AsyncIterator[ReplicaFactory]:
    """Two API replicas (separate apps, separate DB clients) over one database."""
    settings_used: list[Settings] = []
    async with AsyncExitStack() as stack:

        async def start(window_seconds: int) -> Replicas:
            settings = make_settings(
                mongodb_url, login_max_failures=MAX_FAILURES, login_window_seconds=window_seconds
            )
            settings_used.append(settings)
            # One client behind a load balancer that spreads its requests over both.
            return [await _replica(stack, settings, "203.0.113.10") for _ in (1, 2)]

        yield start
        for settings in settings_used:
            database = await open_database(settings, [])
            await database.client.drop_database(settings.mongodb_db)
            await database.close()


@pytest.fixture
async def replicas(start_replicas: ReplicaFactory) -> Replicas:
    return await start_replicas(60)


async def _replica(stack: AsyncExitStack, settings: Settings, address: str) -> httpx.AsyncClient:
    app = create_app(settings)
    await stack.enter_async_context(running(app))
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return await stack.enter_async_context(
        httpx.AsyncClient(transport=transport, base_url="http://replica")
    )


async def _login(
    client: httpx.AsyncClient, email: str, password: str, address: str | None = None
) -> httpx.Response:
    if address is not None:
        client._transport.client = (address, 40000)  # type: ignore[attr-defined]
    return await client.post(LOGIN, data={"username": email, "password": password})


async def _sign_up(client: httpx.AsyncClient, email: str) -> None:
    response = await client.post(SIGNUP, json={"email": email, "password": PASSWORD})
    assert response.status_code == 201


async def test_failures_on_two_replicas_add_up_to_one_lock(
    replicas: list[httpx.AsyncClient],
) -> None:
    first, second = replicas
    await _sign_up(first, "ann@example.com")
    codes = [
        (await _login(replicas[i % 2], "ann@example.com", "wrong-password")).status_code
        for i in range(MAX_FAILURES)
    ]
    assert codes == [401] * MAX_FAILURES
    # Neither replica alone has seen MAX_FAILURES failures; together they have.
    for replica in (first, second):
        locked = await _login(replica, "ann@example.com", PASSWORD)
        assert locked.status_code == 429
        assert 0 < int(locked.headers["retry-after"]) <= 60


async def test_concurrent_guesses_on_both_replicas_are_all_counted(
    replicas: list[httpx.AsyncClient],
) -> None:
    await _sign_up(replicas[0], "ann@example.com")
    attempts = MAX_FAILURES * 3
    responses = await asyncio.gather(
        *(_login(replicas[i % 2], "ann@example.com", f"guess-{i}") for i in range(attempts))
    )
    assert all(r.status_code in {401, 429} for r in responses)
    # Each attempt is counted before its password is checked: a parallel burst
    # gets exactly MAX_FAILURES guesses, however it is spread over the replicas.
    assert sum(r.status_code == 401 for r in responses) == MAX_FAILURES
    assert (await _login(replicas[1], "ann@example.com", PASSWORD)).status_code == 429


async def test_one_client_address_is_throttled_across_accounts_and_replicas(
    replicas: list[httpx.AsyncClient],
) -> None:
    first, second = replicas
    client_limit = MAX_FAILURES * 5
    await _sign_up(first, "victim@example.com")
    # Spraying: one guess per account, never enough to lock any single account.
    for i in range(client_limit):
        replica = replicas[i % 2]
        response = await _login(replica, f"user{i}@example.com", "guess", "203.0.113.7")
        assert response.status_code == 401
    sprayed = await _login(second, "victim@example.com", PASSWORD, "203.0.113.7")
    assert sprayed.status_code == 429
    assert "retry-after" in sprayed.headers
    # Someone else, from another address, logs in to the same service unhindered.
    elsewhere = await _login(first, "victim@example.com", PASSWORD, "198.51.100.9")
    assert elsewhere.status_code == 200


async def test_a_lockout_holds_for_its_window_and_only_for_its_address(
    start_replicas: ReplicaFactory,
) -> None:
    first, second = await start_replicas(SHORT_WINDOW_SECONDS)
    await _sign_up(first, "ann@example.com")
    first._transport.client = ("203.0.113.66", 40000)  # type: ignore[attr-defined]
    # In parallel, so that the window is not over before the lock is checked.
    await asyncio.gather(
        *(
            first.post(LOGIN, data={"username": "ann@example.com", "password": f"no-{i}"})
            for i in range(MAX_FAILURES)
        )
    )
    # The attacker's failures lock the account from the attacker's address, on every replica...
    locked = await _login(second, "ann@example.com", PASSWORD, "203.0.113.66")
    assert locked.status_code == 429
    wait = int(locked.headers["retry-after"])
    assert 0 < wait <= SHORT_WINDOW_SECONDS
    # ...while the owner, from an address that has not failed, is not locked out at all...
    assert (await _login(second, "ann@example.com", PASSWORD, "198.51.100.1")).status_code == 200
    # ...and the lock ends with its window.
    await asyncio.sleep(wait + 0.2)
    assert (await _login(first, "ann@example.com", PASSWORD, "203.0.113.66")).status_code == 200
