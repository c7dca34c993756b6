"""The library: listing with cursors, get, rename, delete, and user isolation."""

import asyncio
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.conftest import Account, upload
from tests.media import encode_video

VIDEOS = "/api/v1/videos"


@pytest.fixture(scope="module")
def tiny_webm() -> bytes:
    return encode_video("webm", seconds=0.2, size=32)


async def upload_titles(
    client: httpx.AsyncClient, account: Account, content: bytes, count: int
) -> list[str]:
    ids = []
    for index in range(count):
        response = await upload(client, account, content, f"v{index}.webm", title=f"Video {index}")
        assert response.status_code == 201
        ids.append(response.json()["id"])
    return ids


async def test_an_empty_library(client: httpx.AsyncClient, alice: Account) -> None:
    response = await client.get(VIDEOS, headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


async def test_pages_follow_the_cursor_newest_first_without_gaps_or_repeats(
    client: httpx.AsyncClient, alice: Account, tiny_webm: bytes
) -> None:
    ids = await upload_titles(client, alice, tiny_webm, 7)
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(VIDEOS, headers=alice.headers, params=params)).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(reversed(ids))


async def test_the_default_page_is_twenty(
    client: httpx.AsyncClient, alice: Account, tiny_webm: bytes
) -> None:
    await upload_titles(client, alice, tiny_webm, 21)
    page = (await client.get(VIDEOS, headers=alice.headers)).json()
    assert len(page["items"]) == 20
    assert page["next_cursor"]


async def test_videos_created_in_the_same_millisecond_are_neither_lost_nor_repeated(
    client: httpx.AsyncClient, alice: Account, tiny_webm: bytes, db: AsyncDatabase[dict[str, Any]]
) -> None:
    await upload_titles(client, alice, tiny_webm, 5)
    first = await db["videos"].find_one({})
    assert first is not None
    await db["videos"].update_many({}, {"$set": {"created_at": first["created_at"]}})
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(VIDEOS, headers=alice.headers, params=params)).json()
        seen += [item["id"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"cursor": "not-a-cursor!"},
        {"cursor": "MTIz"},
    ],
)
async def test_bad_paging_parameters_are_422(
    client: httpx.AsyncClient, alice: Account, params: dict[str, Any]
) -> None:
    response = await client.get(VIDEOS, headers=alice.headers, params=params)
    assert response.status_code == 422
    assert "detail" in response.json()


async def test_listing_requires_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get(VIDEOS)).status_code == 401


async def test_get_returns_the_video_resource(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any]
) -> None:
    response = await client.get(f"{VIDEOS}/{alice_video['id']}", headers=alice.headers)
    assert response.status_code == 200
    video = response.json()
    assert set(video) == {
        "id",
        "title",
        "filename",
        "content_type",
        "size",
        "created_at",
        "stream_url",
        "status",
        "processing_error",
        "progress",
        "duration_seconds",
        "width",
        "height",
        "video_codec",
        "audio_codec",
        "playback_url",
        "poster_url",
        "storyboard_url",
    }
    assert video["stream_url"].startswith(f"/api/v1/videos/{alice_video['id']}/stream?token=")
    # No worker runs here: the video waits for processing, and nothing made from it exists yet.
    assert video["status"] == "processing"
    assert video["progress"] == 0
    assert video["playback_url"] is video["poster_url"] is video["storyboard_url"] is None


async def test_rename_changes_the_title(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any]
) -> None:
    url = f"{VIDEOS}/{alice_video['id']}"
    response = await client.patch(url, headers=alice.headers, json={"title": "  Beach day  "})
    assert response.status_code == 200
    assert response.json()["title"] == "Beach day"
    assert (await client.get(url, headers=alice.headers)).json()["title"] == "Beach day"


@pytest.mark.parametrize(
    "body", [{"title": ""}, {"title": "   "}, {"title": "x" * 201}, {}, {"title": 5}]
)
async def test_rename_rejects_a_bad_title(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any], body: dict[str, Any]
) -> None:
    response = await client.patch(f"{VIDEOS}/{alice_video['id']}", headers=alice.headers, json=body)
    assert response.status_code == 422


async def test_delete_removes_the_video_its_file_and_every_chunk(
    client: httpx.AsyncClient,
    alice: Account,
    alice_video: dict[str, Any],
    db: AsyncDatabase[dict[str, Any]],
) -> None:
    assert await db["fs.chunks"].count_documents({}) > 5
    url = f"{VIDEOS}/{alice_video['id']}"
    response = await client.delete(url, headers=alice.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(url, headers=alice.headers)).status_code == 404
    assert (await client.delete(url, headers=alice.headers)).status_code == 404
    for collection in ("videos", "fs.files", "fs.chunks"):
        assert await db[collection].count_documents({}) == 0


def _routes(video_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    url = f"{VIDEOS}/{video_id}"
    return [
        ("GET", url, {}),
        ("PATCH", url, {"json": {"title": "mine now"}}),
        ("DELETE", url, {}),
        ("GET", f"{url}/stream", {}),
        ("HEAD", f"{url}/stream", {}),
    ]


async def test_another_users_video_is_404_on_every_route(
    client: httpx.AsyncClient, bob: Account, alice: Account, alice_video: dict[str, Any]
) -> None:
    for method, url, extra in _routes(alice_video["id"]):
        response = await client.request(method, url, headers=bob.headers, **extra)
        assert response.status_code == 404, (method, url)
    listing = (await client.get(VIDEOS, headers=bob.headers)).json()
    assert listing["items"] == []
    unchanged = await client.get(f"{VIDEOS}/{alice_video['id']}", headers=alice.headers)
    assert unchanged.json()["title"] == alice_video["title"]


@pytest.mark.parametrize(
    "video_id", ["nope", "0" * 24, "6b0811899fc5c49b2046b8zz", "%00", "a" * 500]
)
async def test_a_malformed_or_unknown_id_is_404(
    client: httpx.AsyncClient, alice: Account, video_id: str
) -> None:
    for method, url, extra in _routes(video_id):
        response = await client.request(method, url, headers=alice.headers, **extra)
        assert response.status_code == 404, (method, url)


async def test_every_video_route_requires_authentication(
    client: httpx.AsyncClient, alice_video: dict[str, Any]
) -> None:
    for method, url, extra in _routes(alice_video["id"]):
        assert (await client.request(method, url, **extra)).status_code == 401


async def test_concurrent_uploads_all_land(
    client: httpx.AsyncClient, alice: Account, tiny_webm: bytes
) -> None:
    responses = await asyncio.gather(
        *(upload(client, alice, tiny_webm, f"{i}.webm") for i in range(6))
    )
    assert [r.status_code for r in responses] == [201] * 6
    page = (await client.get(VIDEOS, headers=alice.headers)).json()
    assert len(page["items"]) == 6
