"""Sign-up: throttled per client address, one account per normalized email, hashing bounded."""

import asyncio
from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD, Db

SIGNUP = "/api/v1/auth/signup"
MAX_SIGNUPS = 3


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"signup_max_attempts": MAX_SIGNUPS, "signup_window_seconds": 600}


async def _sign_up(client: httpx.AsyncClient, email: str, address: str) -> httpx.Response:
    client._transport.client = (address, 40000)  # type: ignore[attr-defined]
    return await client.post(SIGNUP, json={"email": email, "password": PASSWORD})


async def test_signups_are_throttled_per_client_address(client: httpx.AsyncClient) -> None:
    for i in range(MAX_SIGNUPS):
        assert (await _sign_up(client, f"u{i}@example.com", "203.0.113.5")).status_code == 201
    refused = await _sign_up(client, "late@example.com", "203.0.113.5")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 600
    assert refused.json()["detail"].startswith("Too many sign-ups")
    assert (await _sign_up(client, "late@example.com", "198.51.100.5")).status_code == 201


async def test_probing_for_taken_emails_counts_against_the_same_limit(
    client: httpx.AsyncClient,
) -> None:
    # A 409 says an email is registered (SECURITY.md): so each probe costs one sign-up.
    assert (await _sign_up(client, "ann@example.com", "198.51.100.5")).status_code == 201
    codes = [
        (await _sign_up(client, "ann@example.com", "203.0.113.6")).status_code for _ in range(5)
    ]
    assert codes == [409] * MAX_SIGNUPS + [429] * 2


async def test_a_throttled_signup_writes_no_account(client: httpx.AsyncClient, db: Db) -> None:
    for i in range(MAX_SIGNUPS + 2):
        await _sign_up(client, f"u{i}@example.com", "203.0.113.7")
    assert await db["users"].count_documents({}) == MAX_SIGNUPS


@pytest.mark.parametrize(
    "twin",
    [
        "\uff41\uff4c\uff49\uff43\uff45@example.com",  # full-width "alice"
        "\uff41\uff4c\uff49\uff43\uff45\uff20example.com",  # ...and a full-width at sign
        " Alice@EXAMPLE.com",
        "ALİCE@example.com".replace("İ", "I"),
    ],
)
async def test_an_email_in_another_unicode_form_is_the_same_account(
    client: httpx.AsyncClient, twin: str
) -> None:
    assert (await _sign_up(client, "alice@example.com", "198.51.100.1")).status_code == 201
    assert (await _sign_up(client, twin, "198.51.100.2")).status_code == 409


async def test_signup_answers_with_the_normalized_email(client: httpx.AsyncClient) -> None:
    created = await _sign_up(client, "\uff21\uff4e\uff4e@Example.COM", "198.51.100.3")
    assert created.status_code == 201
    assert created.json()["email"] == "ann@example.com"


class TestHashingBeyondItsSlots:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        # One hash at a time, and almost no queue: a burst must spill over as 503.
        return {"password_hash_concurrency": 1, "password_hash_max_wait_seconds": 0.05}

    async def test_a_burst_beyond_the_hash_slots_gets_503_with_retry_after(
        self, client: httpx.AsyncClient, db: Db
    ) -> None:
        responses = await asyncio.gather(
            *(
                client.post(SIGNUP, json={"email": f"b{i}@example.com", "password": PASSWORD})
                for i in range(8)
            )
        )
        codes = sorted(r.status_code for r in responses)
        assert 201 in codes
        assert 503 in codes
        assert set(codes) <= {201, 503}
        busy = next(r for r in responses if r.status_code == 503)
        assert int(busy.headers["retry-after"]) >= 1
        assert busy.json() == {"detail": "The server is busy; try again shortly"}
        # A refused sign-up left no account behind.
        assert await db["users"].count_documents({}) == codes.count(201)
