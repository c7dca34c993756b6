"""An answered PATCH's offset, recorded by the next PATCH's claim in the same write.

These call `resumable.append` directly: through the in-process test client
each request also waits for its record (a background task), so the next
PATCH would never find one waiting.
"""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from pymongo.errors import AutoReconnect

from tests.conftest import TEST_CHUNK_SIZE, Account, Db, stored_counts, token_claims
from tests.uploads.test_tus_protocol import TUS, create
from vidvault.storage import FileStorage
from vidvault.uploads import resumable
from vidvault.uploads.exceptions import UploadNotFound

EXPIRY = timedelta(hours=1)
FIRST = TEST_CHUNK_SIZE + 1000  # not on a chunk boundary: the next PATCH continues a partial chunk


async def _body(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _owner(account: Account) -> PydanticObjectId:
    return PydanticObjectId(token_claims(account.token)["sub"])


async def _upload_id(client: httpx.AsyncClient, alice: Account, length: int) -> str:
    url: str = (await create(client, alice, length)).headers["location"]
    return url.rsplit("/", 1)[1]


async def test_the_next_patch_records_the_answered_offset_with_its_claim(
    client: httpx.AsyncClient, alice: Account, db: Db, storage: FileStorage, mp4_bytes: bytes
) -> None:
    upload_id, owner = await _upload_id(client, alice, len(mp4_bytes)), _owner(alice)
    first = await resumable.append(owner, upload_id, 0, _body(mp4_bytes[:FIRST]), storage, EXPIRY)
    assert first.offset == FIRST
    assert first.recording is not None and not first.recording.done()
    answered = await db["uploads"].find_one({})
    assert answered is not None
    assert answered["offset"] == 0 and answered["lock"] is not None  # answered, not yet recorded

    end = FIRST + 3000
    second = await resumable.append(
        owner, upload_id, FIRST, _body(mp4_bytes[FIRST:end]), storage, EXPIRY
    )
    assert first.recording.done()  # handed over, not made on its own
    held = await db["uploads"].find_one({})
    assert held is not None
    # One write recorded the first PATCH and claimed the upload for the second.
    assert held["offset"] == FIRST and held["content_type"] == "video/mp4"
    assert held["lock"] is not None and held["lock"] != answered["lock"]

    await second.recorded()
    recorded = await db["uploads"].find_one({})
    assert recorded is not None
    assert (recorded["offset"], recorded["lock"], recorded["lock_until"]) == (end, None, None)
    head = await client.head(f"/api/v1/uploads/{upload_id}", headers=alice.headers | TUS)
    assert head.headers["upload-offset"] == str(end)


async def test_the_last_patch_after_a_hand_over_makes_the_video(
    client: httpx.AsyncClient, alice: Account, db: Db, storage: FileStorage, mp4_bytes: bytes
) -> None:
    upload_id, owner = await _upload_id(client, alice, len(mp4_bytes)), _owner(alice)
    await resumable.append(owner, upload_id, 0, _body(mp4_bytes[:FIRST]), storage, EXPIRY)
    last = await resumable.append(
        owner, upload_id, FIRST, _body(mp4_bytes[FIRST:]), storage, EXPIRY
    )
    assert last.video is not None and str(last.video.id) == upload_id
    assert await db["uploads"].count_documents({}) == 0
    streamed = await client.get(f"/api/v1/videos/{upload_id}/stream", headers=alice.headers)
    assert streamed.content == mp4_bytes


async def test_a_cancel_between_the_answer_and_the_next_patch_leaves_nothing(
    client: httpx.AsyncClient, alice: Account, db: Db, storage: FileStorage, mp4_bytes: bytes
) -> None:
    upload_id, owner = await _upload_id(client, alice, len(mp4_bytes)), _owner(alice)
    first = await resumable.append(owner, upload_id, 0, _body(mp4_bytes[:FIRST]), storage, EXPIRY)
    cancelled = await client.delete(f"/api/v1/uploads/{upload_id}", headers=alice.headers | TUS)
    assert cancelled.status_code == 204
    with pytest.raises(UploadNotFound):
        await resumable.append(owner, upload_id, FIRST, _body(b"more"), storage, EXPIRY)
    await first.recorded()
    assert await stored_counts(db) == (0, 0, 0)
    assert await db["uploads"].count_documents({}) == 0


class _ClaimFails:
    """The uploads collection, with every find-and-modify failing as a lost connection would."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    async def find_one_and_update(self, *args: Any, **kwargs: Any) -> Any:
        raise AutoReconnect("connection lost")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)


async def test_when_the_hand_over_write_fails_the_answered_offset_is_still_recorded(
    client: httpx.AsyncClient,
    alice: Account,
    db: Db,
    storage: FileStorage,
    mp4_bytes: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upload_id, owner = await _upload_id(client, alice, len(mp4_bytes)), _owner(alice)
    first = await resumable.append(owner, upload_id, 0, _body(mp4_bytes[:FIRST]), storage, EXPIRY)
    uploads = resumable._uploads()
    monkeypatch.setattr(resumable, "_uploads", lambda: _ClaimFails(uploads))
    with pytest.raises(AutoReconnect):
        await resumable.append(owner, upload_id, FIRST, _body(b"more"), storage, EXPIRY)
    await first.recorded()
    # Recorded and let go at once: the client's retry is not held off until the lease ends.
    recorded = await db["uploads"].find_one({})
    assert recorded is not None
    assert (recorded["offset"], recorded["lock"]) == (FIRST, None)
