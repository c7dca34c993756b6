"""Revocation with the token version cache on the stream, library and upload paths: prompt everywhere.

Two app instances on one database stand for two API replicas. The stream
path and a resumable upload's requests keep a user's token version for
TokenVersions' max age; a logout on one replica (or a password change) must
still close the other's streams, and refuse its upload requests, within 1 s.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI

from tests.conftest import PASSWORD, Account, token_claims
from vidvault.auth import token_versions
from vidvault.auth.token_versions import TokenVersions
from vidvault.core.config import Settings
from vidvault.core.security import TokenClaims, TokenType, expiry
from vidvault.main import create_app

REVOCATION_DEADLINE_SECONDS = 1.0
POLL_SECONDS = 0.02
RANGE = {"Range": "bytes=0-9"}


@pytest.fixture
async def other_replica(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A second app on the same database, as another API replica would be."""
    replica = create_app(settings)
    async with replica.router.lifespan_context(replica):
        transport = httpx.ASGITransport(app=replica)
        async with httpx.AsyncClient(transport=transport, base_url="http://replica") as http:
            yield http


async def _seconds_until_refused(client: httpx.AsyncClient, url: str) -> float:
    """Poll the stream from now on; how long it kept answering (bounded by twice the deadline)."""
    started = time.monotonic()
    while time.monotonic() - started < 2 * REVOCATION_DEADLINE_SECONDS:
        status = (await client.get(url, headers=RANGE)).status_code
        if status == 401:
            return time.monotonic() - started
        assert status == 206
        await asyncio.sleep(POLL_SECONDS)
    pytest.fail("the stream still answered 2 s after the logout")


async def _log_out(client: httpx.AsyncClient, account: Account) -> None:
    assert (await client.post("/api/v1/auth/logout", headers=account.headers)).status_code == 204


async def _change_password(client: httpx.AsyncClient, account: Account) -> None:
    body = {"current_password": PASSWORD, "new_password": "another horse battery"}
    changed = await client.post("/api/v1/users/me/password", headers=account.headers, json=body)
    assert changed.status_code == 200, changed.text


@pytest.mark.parametrize("revoke", [_log_out, _change_password], ids=["logout", "password"])
async def test_revoking_on_one_replica_closes_streams_on_another_within_a_second(
    client: httpx.AsyncClient,
    other_replica: httpx.AsyncClient,
    alice: Account,
    alice_video: dict[str, Any],
    revoke: Callable[[httpx.AsyncClient, Account], Awaitable[None]],
) -> None:
    url = alice_video["stream_url"]
    bearer_url = f"/api/v1/videos/{alice_video['id']}/stream"
    # The other replica has just read (and now remembers) Alice's token version.
    assert (await other_replica.get(url, headers=RANGE)).status_code == 206
    assert (await other_replica.get(bearer_url, headers=alice.headers | RANGE)).status_code == 206

    await revoke(client, alice)

    assert await _seconds_until_refused(other_replica, url) <= REVOCATION_DEADLINE_SECONDS
    refused = await other_replica.get(bearer_url, headers=alice.headers | RANGE)
    assert refused.status_code == 401
    # On the replica that revoked, at once.
    assert (await client.get(url, headers=RANGE)).status_code == 401


async def test_revoking_on_one_replica_refuses_the_library_on_another_within_a_second(
    client: httpx.AsyncClient,
    other_replica: httpx.AsyncClient,
    alice: Account,
    alice_video: dict[str, Any],
) -> None:
    """Listing, searching, reading and renaming take the caller from the cache too."""
    page = "/api/v1/videos?q=clip"
    video = f"/api/v1/videos/{alice_video['id']}"
    assert (await other_replica.get(page, headers=alice.headers)).status_code == 200

    await _log_out(client, alice)

    started = time.monotonic()
    while (status := (await other_replica.get(page, headers=alice.headers)).status_code) == 200:
        assert time.monotonic() - started <= REVOCATION_DEADLINE_SECONDS
        await asyncio.sleep(POLL_SECONDS)
    assert status == 401
    assert (await other_replica.get(video, headers=alice.headers)).status_code == 401
    renamed = await other_replica.patch(video, headers=alice.headers, json={"title": "x"})
    assert renamed.status_code == 401


TUS = {"Tus-Resumable": "1.0.0"}


async def _patch(
    client: httpx.AsyncClient, account: Account, url: str, offset: int, data: bytes
) -> int:
    headers = TUS | {
        "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": str(offset),
    }
    return (await client.patch(url, headers=account.headers | headers, content=data)).status_code


async def test_revoking_on_one_replica_refuses_upload_requests_on_another_within_a_second(
    client: httpx.AsyncClient, other_replica: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    headers = alice.headers | TUS | {"Upload-Length": str(len(mp4_bytes))}
    url = (await client.post("/api/v1/uploads", headers=headers)).headers["location"]
    offset = 1000
    # The other replica has just read (and now remembers) Alice's token version.
    assert await _patch(other_replica, alice, url, 0, mp4_bytes[:offset]) == 204

    await _log_out(client, alice)

    started = time.monotonic()
    while (status := await _patch(other_replica, alice, url, offset, b"\x00" * 10)) == 204:
        offset += 10
        assert time.monotonic() - started <= REVOCATION_DEADLINE_SECONDS
        await asyncio.sleep(POLL_SECONDS)
    assert status == 401
    assert (await other_replica.head(url, headers=alice.headers | TUS)).status_code == 401


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[PydanticObjectId]:
    """The users whose version TokenVersions read from the database, in order."""
    seen: list[PydanticObjectId] = []
    read_version = token_versions._read_version

    async def counted(user_id: PydanticObjectId) -> int | None:
        seen.append(user_id)
        return await read_version(user_id)

    monkeypatch.setattr(token_versions, "_read_version", counted)
    return seen


async def test_a_remembered_version_saves_the_round_trip_and_expires(
    app: FastAPI, alice: Account, reads: list[PydanticObjectId]
) -> None:
    claims = _claims_of(alice.token)
    versions = TokenVersions(max_age_seconds=0.2)
    assert await versions.holds(claims)
    assert await versions.holds(claims)
    assert len(reads) == 1  # the second check asked nobody

    await _bump_version(app, claims.subject)
    assert await versions.holds(claims)  # still the remembered version, within its age
    await asyncio.sleep(0.2)
    assert not await versions.holds(claims)
    assert len(reads) == 2


async def test_forget_drops_the_version_at_once(app: FastAPI, alice: Account) -> None:
    claims = _claims_of(alice.token)
    versions = TokenVersions()
    assert await versions.holds(claims)
    await _bump_version(app, claims.subject)
    versions.forget(PydanticObjectId(claims.subject))
    assert not await versions.holds(claims)


async def test_unknown_users_and_malformed_subjects_never_hold(app: FastAPI) -> None:
    versions = TokenVersions()
    for subject in (str(PydanticObjectId()), "not-an-object-id"):
        claims = TokenClaims(subject, TokenType.ACCESS, 0, expiry(60))
        assert not await versions.holds(claims)


async def test_the_cache_keeps_at_most_its_bound_oldest_out_first(
    app: FastAPI, reads: list[PydanticObjectId]
) -> None:
    versions = TokenVersions(max_entries=2)
    first, second, third = (PydanticObjectId() for _ in range(3))
    for user_id in (first, second, third, third, second):
        await versions.current(user_id)
    assert reads == [first, second, third]  # the last two were still remembered
    await versions.current(first)  # pushed out by the third
    assert reads == [first, second, third, first]


def _claims_of(access_token: str) -> TokenClaims:
    claims = token_claims(access_token)
    return TokenClaims(claims["sub"], TokenType.ACCESS, claims["ver"], expiry(60))


async def _bump_version(app: FastAPI, user_id: str) -> None:
    users = app.state.database.db["users"]
    await users.update_one({"_id": PydanticObjectId(user_id)}, {"$inc": {"token_version": 1}})
