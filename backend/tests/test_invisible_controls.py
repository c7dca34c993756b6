"""Titles and file names never keep bidi or C0/C1 controls: on upload, on rename, and in stored data."""

from typing import Any

import httpx
from bson import ObjectId

from tests.conftest import Account, Db, upload
from vidvault.videos.migrations import strip_invisible_controls

RLO, PDI, NEL = "\u202e", "\u2069", "\x85"


async def test_an_upload_keeps_no_invisible_controls(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    response = await upload(
        client, alice, mp4_bytes, f"évil{RLO}gpj.mp4", title=f"My{NEL} {RLO}trip{PDI}"
    )
    assert response.status_code == 201, response.text
    video = response.json()
    assert video["filename"] == "évilgpj.mp4"
    assert video["title"] == "My trip"


async def test_a_title_from_the_file_name_keeps_none_either(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    response = await upload(client, alice, mp4_bytes, f"hol{RLO}iday.mp4")
    assert response.json()["title"] == "holiday"


async def test_a_rename_keeps_no_invisible_controls(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any]
) -> None:
    path = f"/api/v1/videos/{alice_video['id']}"
    renamed = await client.patch(path, headers=alice.headers, json={"title": f"{RLO}cba{PDI}"})
    assert renamed.status_code == 200
    assert renamed.json()["title"] == "cba"
    only_controls = await client.patch(path, headers=alice.headers, json={"title": f"{RLO}{NEL}"})
    assert only_controls.status_code == 422


async def test_start_up_cleans_titles_and_file_names_of_the_previous_shape(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any], db: Db
) -> None:
    # As stored before: the controls kept.
    await db["videos"].update_one(
        {"_id": ObjectId(alice_video["id"])},
        {"$set": {"title": f"Tr{RLO}ip", "filename": f"évil{RLO}gpj.mp4"}},
    )
    assert await strip_invisible_controls(db) == 1
    stored = await db["videos"].find_one({"_id": ObjectId(alice_video["id"])})
    assert stored is not None
    assert (stored["title"], stored["filename"]) == ("Trip", "évilgpj.mp4")
    assert "trip" in stored["title_terms"]  # search sees the cleaned title
    assert await strip_invisible_controls(db) == 0  # idempotent
    listed = await client.get("/api/v1/videos", headers=alice.headers, params={"q": "trip"})
    assert [v["title"] for v in listed.json()["items"]] == ["Trip"]
