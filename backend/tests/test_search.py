"""Library search and sort: accents, case, word prefixes, every order, ties and cursors."""

import asyncio
from typing import Any

import httpx
import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from tests.conftest import Account, running, upload
from tests.media import encode_video
from vidvault.core.config import Settings
from vidvault.main import create_app
from vidvault.videos.migrations import backfill_search_fields
from vidvault.videos.search import normalize, query_terms, title_key, title_terms

VIDEOS = "/api/v1/videos"
Db = AsyncDatabase[dict[str, Any]]


@pytest.fixture(scope="module")
def tiny_webm() -> bytes:
    return encode_video("webm", seconds=0.2, size=32)


async def add_videos(
    client: httpx.AsyncClient, account: Account, content: bytes, titles: list[str]
) -> list[str]:
    ids = []
    for title in titles:
        response = await upload(client, account, content, "clip.webm", title=title)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


async def titles_found(client: httpx.AsyncClient, account: Account, **params: Any) -> list[str]:
    response = await client.get(VIDEOS, headers=account.headers, params=params | {"limit": 100})
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def every_page(
    client: httpx.AsyncClient, account: Account, limit: int, **params: Any
) -> list[str]:
    """The ids of every page in turn, following next_cursor to the end."""
    seen: list[str] = []
    cursor: str | None = None
    while True:
        query = params | {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = await client.get(VIDEOS, headers=account.headers, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [item["id"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            return seen


def test_normalisation_drops_case_and_accents() -> None:
    assert normalize("Été à NÎMES, Øresund ﬁne") == "ete a nimes, øresund fine"
    assert title_key("  The_Beach —  2019! ") == "the beach 2019"
    assert title_terms("Go go GO!") == ["g", "go"]
    assert title_terms("Beach") == ["b", "be", "bea", "beac", "beach"]
    assert query_terms("  Plage, PLAGE été ") == ["plage", "ete"]
    assert query_terms("?!") == []
    assert len(max(title_terms("x" * 200), key=len)) == 24


async def test_search_ignores_case_and_accents_and_matches_word_prefixes(
    client: httpx.AsyncClient, alice: Account, tiny_webm: bytes
) -> None:
    await add_videos(
        client,
        alice,
        tiny_webm,
        ["Été à Nîmes", "Beach 2019", "School play", "Reach the beach", "Crème brûlée"],
    )
    assert await titles_found(client, alice, q="ete") == ["Été à Nîmes"]
    assert await titles_found(client, alice, q="NÎM") == ["Été à Nîmes"]
    assert await titles_found(client, alice, q="creme BRULEE") == ["Crème brûlée"]
    assert set(await titles_found(client, alice, q="bea")) == {"Beach 2019", "Reach the beach"}
    assert await titles_found(client, alice, q="beach 201") == ["Beach 2019"]
    # Prefixes of words, not any substring: "each" is inside "beach" but starts no word.
    assert await titles_found(client, alice, q="each") == []
    assert await titles_found(client, alice, q="lay") == []
    assert await titles_found(client, alice, q="school opera") == []
    # A query without a single word is no filter at all.
    assert len(await titles_found(client, alice, q=" ?! ")) == 5


async def test_search_sees_only_the_callers_videos_and_follows_renames(
    client: httpx.AsyncClient, alice: Account, bob: Account, tiny_webm: bytes
) -> None:
    [alice_id] = await add_videos(client, alice, tiny_webm, ["Birthday party"])
    await add_videos(client, bob, tiny_webm, ["Birthday cake"])
    assert await titles_found(client, alice, q="birthday") == ["Birthday party"]
    renamed = await client.patch(
        f"{VIDEOS}/{alice_id}", headers=alice.headers, json={"title": "Grandma's garden"}
    )
    assert renamed.status_code == 200
    assert await titles_found(client, alice, q="birthday") == []
    assert await titles_found(client, alice, q="grandma garden") == ["Grandma's garden"]


async def test_each_sort_order(
    client: httpx.AsyncClient, alice: Account, tiny_webm: bytes, db: Db
) -> None:
    ids = await add_videos(client, alice, tiny_webm, ["banana", "Éclair", "apple", "Cherry"])
    measured = {ids[0]: (300, 12.5), ids[1]: (100, None), ids[2]: (200, 60.0), ids[3]: (400, None)}
    for video_id, (size, duration) in measured.items():
        await db["videos"].update_one(
            {"_id": ObjectId(video_id)}, {"$set": {"size": size, "duration_seconds": duration}}
        )
    assert await titles_found(client, alice) == ["Cherry", "apple", "Éclair", "banana"]
    assert await titles_found(client, alice, sort="newest") == [
        "Cherry",
        "apple",
        "Éclair",
        "banana",
    ]
    assert await titles_found(client, alice, sort="oldest") == [
        "banana",
        "Éclair",
        "apple",
        "Cherry",
    ]
    assert await titles_found(client, alice, sort="title") == [
        "apple",
        "banana",
        "Cherry",
        "Éclair",
    ]
    assert await titles_found(client, alice, sort="size") == ["Cherry", "banana", "apple", "Éclair"]
    # Longest first; videos not yet probed come last, newest of them first.
    assert await titles_found(client, alice, sort="duration") == [
        "apple",
        "banana",
        "Cherry",
        "Éclair",
    ]
    assert await titles_found(client, alice, sort="title", q="c") == ["Cherry"]


@pytest.mark.parametrize("sort", ["newest", "oldest", "title", "duration", "size"])
async def test_pages_of_equal_keys_are_neither_lost_nor_repeated(
    client: httpx.AsyncClient, alice: Account, tiny_webm: bytes, db: Db, sort: str
) -> None:
    ids = await add_videos(client, alice, tiny_webm, ["Same title"] * 7)
    first = await db["videos"].find_one({})
    assert first is not None
    await db["videos"].update_many(
        {}, {"$set": {"created_at": first["created_at"], "duration_seconds": 30.0}}
    )
    await db["videos"].update_many(
        {"_id": {"$in": [ObjectId(i) for i in ids[:3]]}}, {"$set": {"duration_seconds": None}}
    )
    seen = await every_page(client, alice, 2, sort=sort)
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))
    assert seen == await every_page(client, alice, 3, sort=sort)
    assert seen == await every_page(client, alice, 100, sort=sort)


async def test_a_cursor_of_another_order_is_refused(
    client: httpx.AsyncClient, alice: Account, tiny_webm: bytes
) -> None:
    await add_videos(client, alice, tiny_webm, ["one", "two"])
    first = await client.get(VIDEOS, headers=alice.headers, params={"limit": 1, "sort": "title"})
    cursor = first.json()["next_cursor"]
    wrong = await client.get(
        VIDEOS, headers=alice.headers, params={"cursor": cursor, "sort": "size"}
    )
    assert wrong.status_code == 422
    assert "another sort order" in wrong.text


@pytest.mark.parametrize("params", [{"sort": "random"}, {"q": "x" * 201}])
async def test_bad_search_parameters_are_422(
    client: httpx.AsyncClient, alice: Account, params: dict[str, Any]
) -> None:
    response = await client.get(VIDEOS, headers=alice.headers, params=params)
    assert response.status_code == 422


@pytest.mark.parametrize(("sort", "q"), [("newest", None), ("title", "clip"), ("size", None)])
async def test_pages_stay_stable_while_videos_are_added(
    client: httpx.AsyncClient, alice: Account, tiny_webm: bytes, sort: str, q: str | None
) -> None:
    """Every video there from the start is seen exactly once, whatever arrives meanwhile."""
    before = set(await add_videos(client, alice, tiny_webm, [f"Clip {n:02}" for n in range(12)]))
    params = {"sort": sort} | ({"q": q} if q else {})

    async def keep_adding() -> None:
        for n in range(8):
            await add_videos(client, alice, tiny_webm, [f"Clip new {n}"])
            await asyncio.sleep(0)

    adding = asyncio.create_task(keep_adding())
    seen = await every_page(client, alice, 2, **params)
    await adding
    assert len(seen) == len(set(seen)), "a video was listed twice"
    assert before <= set(seen), "a video that was there all along was skipped"


async def test_start_up_gives_videos_of_the_previous_shape_their_search_fields(
    client: httpx.AsyncClient, alice: Account, tiny_webm: bytes, db: Db, settings: Settings
) -> None:
    ids = await add_videos(client, alice, tiny_webm, ["Été 2019", "Winter"])
    # Documents as stored before search existed: no title_key, no title_terms.
    await db["videos"].update_many({}, {"$unset": {"title_key": "", "title_terms": ""}})
    assert await titles_found(client, alice, q="ete") == []
    restarted = create_app(settings)
    transport = httpx.ASGITransport(app=restarted)
    async with (
        running(restarted),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as after,
    ):
        assert await titles_found(after, alice, q="ete") == ["Été 2019"]
        assert await backfill_search_fields(db) == 0  # start-up has done it; again is a no-op
    stored = await db["videos"].find_one({"_id": ObjectId(ids[1])})
    assert stored is not None
    assert (stored["title_key"], stored["title_terms"][-1]) == ("winter", "winter")
