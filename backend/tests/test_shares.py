"""Share links: create, list, revoke; what an anonymous holder of the link can reach."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from tests.conftest import Account
from vidvault.shares.tokens import TOKEN_LENGTH, token_hash

VIDEOS = "/api/v1/videos"
SHARED = "/api/v1/shared"
Db = AsyncDatabase[dict[str, Any]]


def shares_url(video: dict[str, Any]) -> str:
    return f"{VIDEOS}/{video['id']}/shares"


async def create_share(
    client: httpx.AsyncClient, account: Account, video: dict[str, Any], **body: Any
) -> dict[str, Any]:
    response = await client.post(shares_url(video), headers=account.headers, json=body)
    assert response.status_code == 201, response.text
    share: dict[str, Any] = response.json()
    return share


async def test_a_share_link_opens_the_video_without_an_account(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any], mp4_bytes: bytes
) -> None:
    share = await create_share(client, alice, alice_video)
    assert set(share) == {"id", "token", "url", "created_at", "expires_at"}
    assert len(share["token"]) == TOKEN_LENGTH
    assert share["url"] == f"/s/{share['token']}"
    assert share["expires_at"] is None

    view = await client.get(f"{SHARED}/{share['token']}")
    assert view.status_code == 200
    body = view.json()
    assert body["title"] == alice_video["title"]
    assert body["playback_url"] == f"{SHARED}/{share['token']}/playback"
    # Nothing about whose video it is.
    assert "alice" not in view.text and "owner" not in view.text
    assert alice_video["id"] not in view.text and "filename" not in body

    whole = await client.get(body["playback_url"])
    assert whole.status_code == 200
    assert whole.content == mp4_bytes
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["cache-control"] == "private, no-cache"
    ranged = await client.get(body["playback_url"], headers={"Range": "bytes=5000-9999"})
    assert ranged.status_code == 206
    assert ranged.content == mp4_bytes[5000:10000]
    assert ranged.headers["content-range"] == f"bytes 5000-9999/{len(mp4_bytes)}"
    head = await client.head(body["playback_url"], headers={"Range": "bytes=0-9"})
    assert (head.status_code, head.content) == (206, b"")
    beyond = await client.get(body["playback_url"], headers={"Range": f"bytes={len(mp4_bytes)}-"})
    assert beyond.status_code == 416
    etag = whole.headers["etag"]
    assert (
        await client.get(body["playback_url"], headers={"If-None-Match": etag})
    ).status_code == 304


async def test_only_a_hash_of_the_token_is_stored(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any], db: Db
) -> None:
    share = await create_share(client, alice, alice_video)
    stored = await db["shares"].find_one({"_id": ObjectId(share["id"])})
    assert stored is not None
    assert share["token"] not in str(stored)
    assert stored["token_hash"] == token_hash(share["token"])


async def test_the_owner_lists_and_revokes_links_and_a_revoked_link_stops_mid_playback(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any]
) -> None:
    first = await create_share(client, alice, alice_video)
    second = await create_share(client, alice, alice_video)
    listed = (await client.get(shares_url(alice_video), headers=alice.headers)).json()
    assert [share["id"] for share in listed] == [second["id"], first["id"]]
    assert listed[1]["token"] == first["token"]  # the owner can copy a link again

    playback = f"{SHARED}/{first['token']}/playback"
    assert (await client.get(playback, headers={"Range": "bytes=0-99"})).status_code == 206
    revoked = await client.delete(f"{shares_url(alice_video)}/{first['id']}", headers=alice.headers)
    assert revoked.status_code == 204
    # The player's next range request, with the URL it already holds, fails.
    after = await client.get(playback, headers={"Range": "bytes=100-199"})
    assert after.status_code == 404
    assert "not valid" in after.json()["detail"]
    assert (await client.get(f"{SHARED}/{first['token']}")).status_code == 404
    assert (await client.get(f"{SHARED}/{second['token']}")).status_code == 200
    again = await client.delete(f"{shares_url(alice_video)}/{first['id']}", headers=alice.headers)
    assert again.status_code == 404


async def test_an_expired_link_is_404(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any], db: Db
) -> None:
    soon = datetime.now(UTC) + timedelta(hours=1)
    share = await create_share(client, alice, alice_video, expires_at=soon.isoformat())
    assert datetime.fromisoformat(share["expires_at"]) == soon.replace(
        microsecond=soon.microsecond // 1000 * 1000
    )
    assert (await client.get(f"{SHARED}/{share['token']}")).status_code == 200
    await db["shares"].update_one(
        {"_id": ObjectId(share["id"])},
        {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}},
    )
    assert (await client.get(f"{SHARED}/{share['token']}")).status_code == 404
    assert (await client.get(f"{SHARED}/{share['token']}/playback")).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"expires_at": "2001-01-01T00:00:00Z"},
        {"expires_at": "2999-01-01T00:00:00"},  # no time zone
        {"expires_at": "tomorrow"},
        {"token": "chosen-by-me"},
    ],
)
async def test_a_bad_share_request_is_422(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any], body: dict[str, Any]
) -> None:
    response = await client.post(shares_url(alice_video), headers=alice.headers, json=body)
    assert response.status_code == 422


async def test_deleting_the_video_kills_its_links_and_removes_them(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any], db: Db
) -> None:
    share = await create_share(client, alice, alice_video)
    deleted = await client.delete(f"{VIDEOS}/{alice_video['id']}", headers=alice.headers)
    assert deleted.status_code == 204
    assert (await client.get(f"{SHARED}/{share['token']}/playback")).status_code == 404
    assert await db["shares"].count_documents({}) == 0


@pytest.mark.parametrize("token", ["x", "A" * TOKEN_LENGTH, "A" * 100, "%2e%2e", "../../videos"])
async def test_a_forged_or_malformed_token_is_404(client: httpx.AsyncClient, token: str) -> None:
    assert (await client.get(f"{SHARED}/{token}")).status_code == 404
    assert (await client.get(f"{SHARED}/{token}/playback")).status_code == 404


@pytest.mark.parametrize(
    "settings_overrides", [{"shared_max_requests": 5, "shared_window_seconds": 60}]
)
async def test_anonymous_share_requests_are_limited_per_address(
    client: httpx.AsyncClient,
    alice: Account,
    alice_video: dict[str, Any],
    db: Db,
    settings_overrides: dict[str, Any],
) -> None:
    share = await create_share(client, alice, alice_video)
    codes = [(await client.get(f"{SHARED}/{share['token']}")).status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2
    limited = await client.get(f"{SHARED}/{share['token']}/playback")
    assert limited.status_code == 429
    assert 0 < int(limited.headers["retry-after"]) <= 60
    # Counted in the database, where every replica sees the same count.
    assert (
        await db["throttle_counters"].count_documents({"_id": {"$regex": "^shared-client:"}}) == 1
    )
    # The owner's own routes are not limited by it.
    assert (await client.get(shares_url(alice_video), headers=alice.headers)).status_code == 200
