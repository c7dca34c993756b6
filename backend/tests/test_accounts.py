"""The caller's account: storage used and quota, password change, deletion with everything in it."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from bson import ObjectId
from fastapi import FastAPI
from pymongo.asynchronous.database import AsyncDatabase

from tests.conftest import PASSWORD, Account, log_in, running, sign_up, stored_counts, upload
from tests.faults.processes import start_worker
from tests.media import encode_video
from vidvault.core.config import Settings
from vidvault.core.database import Database
from vidvault.main import create_app

ME = "/api/v1/users/me"
CHANGE_PASSWORD = f"{ME}/password"
VIDEOS = "/api/v1/videos"
NEW_PASSWORD = "a brand new passphrase"
Db = AsyncDatabase[dict[str, Any]]
NOTHING_LEFT = {"users": 0, "videos": 0, "fs.files": 0, "fs.chunks": 0}
QUOTA = 4000  # two of the tiny test videos fit, not three
MARKED = {"deleted_at": datetime(2026, 1, 1, tzinfo=UTC)}


@pytest.fixture(scope="module")
def tiny_webm() -> bytes:
    return encode_video("webm", seconds=0.2, size=32)


async def add_video(client: httpx.AsyncClient, account: Account, content: bytes) -> str:
    response = await upload(client, account, content, "clip.webm")
    assert response.status_code == 201, response.text
    video_id: str = response.json()["id"]
    return video_id


async def delete_me(
    client: httpx.AsyncClient, account: Account, password: str = PASSWORD
) -> httpx.Response:
    return await client.request("DELETE", ME, headers=account.headers, json={"password": password})


async def owned_by(db: Db, user_id: ObjectId) -> dict[str, int]:
    """Documents and chunks left of one user, per collection."""
    file_ids = await db["videos"].distinct("file_id", {"owner_id": user_id})
    return {
        "users": await db["users"].count_documents({"_id": user_id}),
        "videos": await db["videos"].count_documents({"owner_id": user_id}),
        "fs.files": await db["fs.files"].count_documents({"_id": {"$in": file_ids}}),
        "fs.chunks": await db["fs.chunks"].count_documents({"files_id": {"$in": file_ids}}),
    }


async def user_id_of(client: httpx.AsyncClient, account: Account) -> ObjectId:
    return ObjectId((await client.get(ME, headers=account.headers)).json()["id"])


async def test_me_tells_the_storage_used_and_no_quota_by_default(
    client: httpx.AsyncClient, alice: Account, bob: Account, tiny_webm: bytes
) -> None:
    empty = (await client.get(ME, headers=alice.headers)).json()
    assert (empty["storage_used_bytes"], empty["storage_quota_bytes"]) == (0, None)
    await add_video(client, alice, tiny_webm)
    await add_video(client, alice, tiny_webm)
    await add_video(client, bob, tiny_webm)
    me = (await client.get(ME, headers=alice.headers)).json()
    assert me["storage_used_bytes"] == 2 * len(tiny_webm)


async def test_changing_the_password_revokes_every_other_token(
    client: httpx.AsyncClient, alice: Account
) -> None:
    other_device = await log_in(client, alice.email)
    response = await client.post(
        CHANGE_PASSWORD,
        headers=alice.headers,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 200, response.text
    fresh = Account(alice.email, response.json()["access_token"])
    assert (await client.get(ME, headers=fresh.headers)).status_code == 200
    for revoked in (alice, other_device):
        assert (await client.get(ME, headers=revoked.headers)).status_code == 401
    old = await client.post(
        "/api/v1/auth/login", data={"username": alice.email, "password": PASSWORD}
    )
    assert old.status_code == 401
    await log_in(client, alice.email, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"current_password": "not my password", "new_password": NEW_PASSWORD}, 403),
        ({"current_password": PASSWORD, "new_password": "short"}, 422),
        ({"current_password": PASSWORD}, 422),
        ({"current_password": "", "new_password": NEW_PASSWORD}, 422),
    ],
)
async def test_a_refused_password_change_changes_nothing(
    client: httpx.AsyncClient, alice: Account, body: dict[str, str], status: int
) -> None:
    response = await client.post(CHANGE_PASSWORD, headers=alice.headers, json=body)
    assert response.status_code == status, response.text
    assert (await client.get(ME, headers=alice.headers)).status_code == 200
    await log_in(client, alice.email, PASSWORD)


async def test_account_routes_require_a_token(client: httpx.AsyncClient) -> None:
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert (await client.post(CHANGE_PASSWORD, json=body)).status_code == 401
    response = await client.request("DELETE", ME, json={"password": PASSWORD})
    assert response.status_code == 401


async def test_deleting_the_account_removes_everything_of_it_and_nothing_else(
    client: httpx.AsyncClient,
    alice: Account,
    bob: Account,
    tiny_webm: bytes,
    db: Db,
    app: FastAPI,
    mongodb_url: str,
    settings: Settings,
) -> None:
    """3 videos, 2 share links and a running job, with its partial output: nothing is left."""
    alice_id = await user_id_of(client, alice)
    videos = [await add_video(client, alice, tiny_webm) for _ in range(3)]
    for video_id in videos[:2]:
        shared = await client.post(f"{VIDEOS}/{video_id}/shares", headers=alice.headers, json={})
        assert shared.status_code == 201
    bobs_video = await add_video(client, bob, tiny_webm)
    partial = await _running_job_with_partial_output(app, db, ObjectId(videos[0]))
    file_ids = await db["videos"].distinct("file_id", {"owner_id": alice_id})
    before = await everything_of(db, alice_id, videos, file_ids, partial)
    assert before["shares"] == 2 and before["running jobs"] == 1
    assert before["chunks of the videos"] > 0 and before["partial output"] > 0

    assert (await delete_me(client, alice, "not my password")).status_code == 403
    assert (await owned_by(db, alice_id))["videos"] == 3

    response = await delete_me(client, alice)
    assert response.status_code == 204
    # The running job's worker is gone: the next worker cleans up after it, as after any crash.
    worker = start_worker(mongodb_url, settings.mongodb_db)
    try:
        for _ in range(200):
            if not any((await everything_of(db, alice_id, videos, file_ids, partial)).values()):
                break
            await asyncio.sleep(0.1)
    finally:
        worker.stop()
    assert await everything_of(db, alice_id, videos, file_ids, partial) == dict.fromkeys(before, 0)
    assert (await client.get(f"{VIDEOS}/{bobs_video}", headers=bob.headers)).status_code == 200
    # The same request again, as after a lost response: still done, still 204.
    assert (await delete_me(client, alice)).status_code == 204
    assert (await client.get(ME, headers=alice.headers)).status_code == 401
    login = await client.post(
        "/api/v1/auth/login", data={"username": alice.email, "password": PASSWORD}
    )
    assert login.status_code == 401
    # The email is free again.
    await sign_up(client, alice.email)


async def _running_job_with_partial_output(app: FastAPI, db: Db, video_id: ObjectId) -> ObjectId:
    """A job a worker holds (then dies), having begun writing an output file."""
    database: Database = app.state.database
    partial = (await database.storage.write_file(b"half a poster", "poster.webp")).id
    now = datetime.now(UTC)
    await db["jobs"].update_one(
        {"video_id": video_id, "step": "poster"},
        {
            "$set": {
                "state": "running",
                "lease_owner": "a-worker-that-died",
                "lease_expires_at": now + timedelta(seconds=2),
                "partial_files": [partial],
                "attempts": 1,
                "progress": 0.5,
                "run_after": now,
                "created_at": now,
                "updated_at": now,
            }
        },
        upsert=True,
    )
    return ObjectId(partial)


async def everything_of(
    db: Db, user_id: ObjectId, video_ids: list[str], file_ids: list[ObjectId], partial: ObjectId
) -> dict[str, int]:
    ids = [ObjectId(video_id) for video_id in video_ids]
    stored = await owned_by(db, user_id)
    return stored | {
        "shares": await db["shares"].count_documents({"owner_id": user_id}),
        "jobs": await db["jobs"].count_documents({"video_id": {"$in": ids}}),
        "running jobs": await db["jobs"].count_documents(
            {"video_id": {"$in": ids}, "state": "running"}
        ),
        "files of the videos": await db["fs.files"].count_documents({"_id": {"$in": file_ids}}),
        "chunks of the videos": await db["fs.chunks"].count_documents(
            {"files_id": {"$in": file_ids}}
        ),
        "partial output": await db["fs.chunks"].count_documents({"files_id": partial})
        + await db["fs.files"].count_documents({"_id": partial}),
    }


async def test_a_deletion_cut_short_is_finished_by_the_purger(
    client: httpx.AsyncClient, alice: Account, tiny_webm: bytes, db: Db, settings: Settings
) -> None:
    alice_id = await user_id_of(client, alice)
    for _ in range(2):
        await add_video(client, alice, tiny_webm)
    # What a process that died right after marking the account leaves behind.
    await db["users"].update_one({"_id": alice_id}, {"$set": MARKED, "$inc": {"token_version": 1}})
    assert (await client.get(ME, headers=alice.headers)).status_code == 401
    assert (await owned_by(db, alice_id))["videos"] == 2
    restarted = create_app(settings)  # the purger runs at start-up, then every interval
    async with running(restarted):
        for _ in range(100):
            if (await owned_by(db, alice_id))["users"] == 0:
                break
            await asyncio.sleep(0.05)
    assert await owned_by(db, alice_id) == NOTHING_LEFT


async def test_a_retried_deletion_finishes_what_was_begun(
    client: httpx.AsyncClient, alice: Account, tiny_webm: bytes, db: Db
) -> None:
    alice_id = await user_id_of(client, alice)
    await add_video(client, alice, tiny_webm)
    await db["users"].update_one({"_id": alice_id}, {"$set": MARKED})
    assert (await delete_me(client, alice)).status_code == 204
    assert await owned_by(db, alice_id) == NOTHING_LEFT


@pytest.mark.parametrize("settings_overrides", [{"storage_quota_bytes": QUOTA}])
async def test_an_upload_beyond_the_quota_is_refused_before_anything_is_stored(
    client: httpx.AsyncClient, alice: Account, db: Db, settings_overrides: dict[str, Any]
) -> None:
    small = encode_video("webm", seconds=0.2, size=32)
    big = small + bytes(60_000)
    assert 2 * len(small) <= QUOTA < 3 * len(small)
    first = await add_video(client, alice, small)
    me = (await client.get(ME, headers=alice.headers)).json()
    assert (me["storage_used_bytes"], me["storage_quota_bytes"]) == (len(small), QUOTA)
    before = await stored_counts(db)

    refused = await upload(client, alice, big, "big.webm")
    assert refused.status_code == 413
    assert f"storage quota of {QUOTA} bytes" in refused.json()["detail"]
    assert await stored_counts(db) == before

    # Without a Content-Length, the stream is cut where the room ends, and removed.
    async def body() -> Any:
        boundary = b"quota-boundary"
        yield (
            b"--"
            + boundary
            + b'\r\nContent-Disposition: form-data; name="file"; filename="b.webm"\r\n\r\n'
        )
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]
        yield b"\r\n--" + boundary + b"--\r\n"

    streamed = await client.post(
        VIDEOS,
        headers=alice.headers | {"Content-Type": "multipart/form-data; boundary=quota-boundary"},
        content=body(),
    )
    assert streamed.status_code == 413, streamed.text
    assert await stored_counts(db) == before

    # What fits still goes in; deleting makes room again.
    assert (await upload(client, alice, small, "again.webm")).status_code == 201
    assert (await upload(client, alice, small, "third.webm")).status_code == 413
    assert (await client.delete(f"{VIDEOS}/{first}", headers=alice.headers)).status_code == 204
    assert (await upload(client, alice, small, "third.webm")).status_code == 201
