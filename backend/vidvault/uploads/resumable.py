"""Resumable uploads (tus): create, append at an offset, finish into a video, cancel, expire.

Everything an upload is lives in the database: its `uploads` document
(length, offset, owner, lock) and its unfinished stored file, partial last
chunk included. So any API replica can take the next PATCH.

One request appends at a time. A PATCH claims the upload atomically, only
if its Upload-Offset is the stored one (409 otherwise) and nobody else holds
it, in one round trip that also checks the owner and the expiry; it renews
the claim while it runs, so a process that dies lets go within LEASE. A
request lets go only after recording every chunk it stored, so chunks past
the offset can exist only when the previous holder died holding the claim:
the claim tells, and only then are they dropped before writing.

A PATCH answers once its bytes are stored. Its offset is recorded, and the
upload let go, just after: by the client's next PATCH when that reaches this
process in time, in the same write as its claim, or else moments later
(pending_records.py). So a PATCH that finds the upload held waits up to
CLAIM_WAIT_SECONDS for it to be let go before answering 423; while it is
held, the stored offset is not final, so no 409 is answered either. Should
the process die between an answer and its record, the claim runs out, the
next PATCH takes over from the offset recorded before, and the client, told
409, resumes from there: at most that one PATCH's bytes are sent again.

Whatever a PATCH received before it ended, even cut short by a dropped
connection, is stored and counted, so the client resumes exactly where the
bytes stopped.
"""

import asyncio
import secrets
import time
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import anyio
from beanie import PydanticObjectId
from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError

from vidvault.auth.models import User, utc_now
from vidvault.storage import WRITE_BATCH_BYTES, FileStorage, MissingChunks
from vidvault.uploads import gate
from vidvault.uploads.exceptions import (
    NotAVideo,
    OffsetMismatch,
    UploadBusy,
    UploadInterrupted,
    UploadNotFound,
)
from vidvault.uploads.form import ReceivedUpload
from vidvault.uploads.gate import UploadGate
from vidvault.uploads.models import Upload
from vidvault.uploads.pending_records import Answered, pending_records
from vidvault.uploads.read_ahead import read_ahead
from vidvault.uploads.sniffing import SNIFF_BYTES, VideoType, video_type_of
from vidvault.videos.filenames import sanitize_filename
from vidvault.videos.models import Video
from vidvault.videos.service import record_video

type Doc = dict[str, Any]

# How long a claim holds without renewal: a PATCH renews it every third of
# this, so only a dead process loses it.
LEASE = timedelta(seconds=30)
# HEAD waits this long for a PATCH still running (its client may just have
# been cut off) so that the offset it answers is the final one.
HEAD_WAIT_SECONDS = 5.0
# A PATCH waits this long for the upload to be let go before answering 423;
# an answered PATCH's record is made within pending_records.HAND_OVER_SECONDS.
CLAIM_WAIT_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Progress:
    offset: int
    expires_at: datetime
    video: Video | None  # once the last byte is in
    # The offset being recorded after the answer (pending_records.py).
    recording: asyncio.Task[None] | None = None

    async def recorded(self) -> None:
        """Return once the offset is recorded, or handed to the next PATCH to record.

        A failure is logged, not raised: the answer has gone already.
        """
        if self.recording is not None:
            await asyncio.wait([self.recording])


def _uploads() -> AsyncCollection[Doc]:
    collection: AsyncCollection[Doc] = Upload.get_pymongo_collection()
    return collection


def _unlocked(now: datetime) -> Doc:
    return {"$or": [{"lock": None}, {"lock_until": {"$lt": now}}]}


async def create(
    owner: User,
    length: int,
    metadata: dict[str, str],
    upload_gate: UploadGate,
    chunk_size: int,
    expiry: timedelta,
) -> Upload:
    """A new upload of `length` bytes: size and title checked now, type at the first bytes."""
    assert owner.id is not None
    upload_gate.declare(length)
    if length == 0:
        raise NotAVideo
    upload = Upload(
        owner_id=owner.id,
        length=length,
        chunk_size=chunk_size,
        client_filename=metadata.get("filename"),
        title=gate.title(metadata.get("title")),
        expires_at=utc_now() + expiry,
    )
    await upload.insert()
    return upload


def _object_id(upload_id: str) -> PydanticObjectId:
    try:
        return PydanticObjectId(upload_id)
    except (InvalidId, TypeError, ValueError) as error:
        raise UploadNotFound from error


async def find(owner_id: PydanticObjectId, upload_id: str) -> Upload:
    """The owner's live upload; anything else (someone else's, expired, gone) is the same 404."""
    upload = await Upload.find_one(Upload.id == _object_id(upload_id), Upload.owner_id == owner_id)
    if upload is None or _expired(upload, utc_now()):
        raise UploadNotFound
    return upload


def _expired(upload: Upload, now: datetime) -> bool:
    held = upload.lock is not None and upload.lock_until is not None and upload.lock_until > now
    return upload.expires_at < now and not held


async def settled(upload: Upload) -> Upload:
    """The upload once no PATCH is running on it (waiting up to HEAD_WAIT_SECONDS)."""
    assert upload.id is not None
    if upload.lock is not None:
        await pending_records.settle(upload.id)  # recorded by this process: no need to poll
        upload = await Upload.get(upload.id) or upload
    deadline = time.monotonic() + HEAD_WAIT_SECONDS
    while upload.lock is not None and upload.lock_until is not None:
        if upload.lock_until < utc_now() or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
        fresh = await Upload.get(upload.id)
        if fresh is None:
            raise UploadNotFound
        upload = fresh
    return upload


async def append(
    owner_id: PydanticObjectId,
    upload_id: str,
    offset: int,
    body: AsyncIterable[bytes],
    storage: FileStorage,
    expiry: timedelta,
) -> Progress:
    """Append the body at `offset` to the owner's upload; the video once the last byte is in."""
    token = secrets.token_urlsafe(12)
    upload_oid = _object_id(upload_id)
    # The first batch of bytes arrives while the claim is made (bounded memory).
    async with read_ahead(body, WRITE_BATCH_BYTES) as early_body:
        claim = await _claim_after_answered(owner_id, upload_oid, offset, token, storage)
        async with _renewing(claim.upload, token):
            stored = await _receive(claim, early_body, storage, token, expiry)
    expires_at = utc_now() + expiry
    if stored.offset < claim.upload.length:
        answered = Answered(owner_id, stored.offset, token, stored.recorded(expires_at))
        recording = pending_records.start(
            upload_oid,
            answered,
            lambda: _record_after_answer(claim.upload, token, stored, expires_at, storage),
        )
        return Progress(stored.offset, expires_at, None, recording)
    await _record(claim.upload, token, stored, expires_at, storage)
    finished = await Upload.get(claim.upload.id)
    if finished is None:
        raise UploadNotFound
    return Progress(stored.offset, expires_at, await finish(finished, storage))


@dataclass(frozen=True, slots=True)
class _Claim:
    upload: Upload  # as it is now, held by this request
    # Whether the request that held it before died holding it: it may have
    # stored chunks past the offset it never recorded. A request that ends
    # lets go only after recording every chunk it stored (`_record`), so an
    # upload let go of normally has none.
    taken_over: bool


async def _claim(
    owner_id: PydanticObjectId, upload_id: PydanticObjectId, offset: int, token: str
) -> _Claim:
    """The upload, held by this request: one round trip that also checks owner and expiry."""
    now = utc_now()
    lock = {"lock": token, "lock_until": now + LEASE}
    before = await _uploads().find_one_and_update(
        {
            "_id": upload_id,
            "owner_id": owner_id,
            "offset": offset,
            "expires_at": {"$gte": now},
            **_unlocked(now),
        },
        {"$set": lock},
        return_document=ReturnDocument.BEFORE,
    )
    if before is None:
        raise await _why_unclaimed(owner_id, upload_id, offset)
    return _Claim(Upload.model_validate(before | lock), taken_over=before.get("lock") is not None)


async def _claim_after_answered(
    owner_id: PydanticObjectId,
    upload_id: PydanticObjectId,
    offset: int,
    token: str,
    storage: FileStorage,
) -> _Claim:
    """The upload, held by this request; the previous PATCH's offset recorded first.

    When that PATCH was answered by this process and its record still waits
    (pending_records.py), one write does both: it records that offset and
    claims the upload.
    """
    answered = pending_records.take(upload_id, owner_id, offset)
    if answered is None:
        await pending_records.settle(upload_id)
        return await _claim_when_let_go(owner_id, upload_id, offset, token)
    recorded = answered.recorded
    lock = {"lock": token, "lock_until": utc_now() + LEASE}
    try:
        after = await _uploads().find_one_and_update(
            {"_id": upload_id, "lock": answered.token},
            {"$set": recorded | lock},
            return_document=ReturnDocument.AFTER,
        )
    except BaseException:
        # Applied or not, the previous PATCH's record is owed: made alone, as
        # it would have been, so the upload is let go now, not after a lease.
        with anyio.CancelScope(shield=True), suppress(PyMongoError):
            await _uploads().update_one(
                {"_id": upload_id, "lock": {"$in": [answered.token, token]}},
                {"$set": recorded | {"lock": None, "lock_until": None}},
            )
        raise
    if after is None:
        if await Upload.get(upload_id) is None:  # cancelled since that answer: its bytes go too
            await storage.delete(upload_id)
        raise await _why_unclaimed(owner_id, upload_id, offset)
    return _Claim(Upload.model_validate(after), taken_over=False)


async def _claim_when_let_go(
    owner_id: PydanticObjectId, upload_id: PydanticObjectId, offset: int, token: str
) -> _Claim:
    """`_claim`, waiting up to CLAIM_WAIT_SECONDS while another request holds the upload."""
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    pause = 0.002
    while True:
        try:
            return await _claim(owner_id, upload_id, offset, token)
        except UploadBusy:
            if time.monotonic() + pause > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.1)


async def _why_unclaimed(
    owner_id: PydanticObjectId, upload_id: PydanticObjectId, offset: int
) -> OffsetMismatch | UploadBusy | UploadNotFound:
    current = await Upload.find_one(Upload.id == upload_id, Upload.owner_id == owner_id)
    now = utc_now()
    if current is None or _expired(current, now):
        return UploadNotFound()
    if current.lock is not None and current.lock_until is not None and current.lock_until > now:
        # Held: its offset is about to change (see the module docstring).
        return UploadBusy(headers={"Retry-After": "1"})
    if current.offset != offset:
        return OffsetMismatch(headers={"Upload-Offset": str(current.offset)})
    return UploadBusy(headers={"Retry-After": "1"})  # held a moment ago, by a request now gone


@asynccontextmanager
async def _renewing(upload: Upload, token: str) -> AsyncIterator[None]:
    async def renew() -> None:
        while True:
            await asyncio.sleep(LEASE.total_seconds() / 3)
            with suppress(PyMongoError):  # the next turn tries again; the lease has slack
                await _uploads().update_one(
                    {"_id": upload.id, "lock": token},
                    {"$set": {"lock_until": utc_now() + LEASE}},
                )

    renewal = asyncio.create_task(renew())
    try:
        yield
    finally:
        renewal.cancel()
        with suppress(asyncio.CancelledError):
            await renewal


class _Sniffer:
    """Collects the upload's first bytes and names its type, once, or refuses it (415)."""

    def __init__(self, head: bytes, length: int) -> None:
        self._head = bytearray(head)
        self._needed = min(SNIFF_BYTES, length)
        self.video_type: VideoType | None = None

    def feed(self, data: bytes) -> None:
        if self.video_type is not None:
            return
        self._head += data[: self._needed - len(self._head)]
        if len(self._head) >= self._needed:
            self.video_type = gate.video_type(bytes(self._head))


async def _sniffer(upload: Upload, storage: FileStorage) -> _Sniffer | None:
    assert upload.id is not None
    if upload.content_type is not None:
        return None
    head = b""
    if upload.offset:  # a first PATCH shorter than SNIFF_BYTES left these
        async with storage.read_range(upload.id, upload.chunk_size, 0, upload.offset - 1) as pieces:
            head = b"".join([piece async for piece in pieces])
    return _Sniffer(head, upload.length)


@dataclass(frozen=True, slots=True)
class _Stored:
    """What a PATCH stored: the offset to record, and the type once sniffed."""

    offset: int
    content_type: str | None

    def recorded(self, expires_at: datetime) -> Doc:
        """The upload's fields that record it (the claim's fields aside)."""
        return {"offset": self.offset, "content_type": self.content_type, "expires_at": expires_at}


async def _receive(
    claim: _Claim, body: AsyncIterable[bytes], storage: FileStorage, token: str, expiry: timedelta
) -> _Stored:
    """Store the body; on success the caller records it, on failure this records what arrived."""
    upload = claim.upload
    assert upload.id is not None
    try:
        writer = await storage.open_append(
            upload.id,
            upload.chunk_size,
            upload.offset,
            "",
            {},
            drop_past_offset=claim.taken_over,
        )
    except MissingChunks as error:
        await discard(upload, storage)
        raise UploadInterrupted from error
    sniffer = await _sniffer(upload, storage)
    upload_gate = UploadGate(max_bytes=upload.length - upload.offset)  # Upload-Length holds
    try:
        async for chunk in body:
            upload_gate.count(len(chunk))
            if sniffer is not None:
                sniffer.feed(chunk)
            await writer.write(chunk)
    except NotAVideo:
        await discard(upload, storage)
        raise
    except PyMongoError:
        raise  # nothing can be recorded; the claim runs out and the client resumes
    except Exception:
        # Cut off, or sent too much: what arrived is kept, and the client
        # resumes from the offset HEAD will now answer.
        stored = _Stored(await writer.suspend(), _content_type(upload, sniffer))
        await _record(upload, token, stored, utc_now() + expiry, storage)
        raise
    return _Stored(await writer.suspend(), _content_type(upload, sniffer))


def _content_type(upload: Upload, sniffer: _Sniffer | None) -> str | None:
    if sniffer is not None and sniffer.video_type is not None:
        return sniffer.video_type.content_type
    return upload.content_type


async def _record(
    upload: Upload, token: str, stored: _Stored, expires_at: datetime, storage: FileStorage
) -> None:
    """Record the new offset and let go of the claim; every chunk counted is stored already."""
    assert upload.id is not None
    result = await _uploads().update_one(
        {"_id": upload.id, "lock": token},
        {"$set": stored.recorded(expires_at) | {"lock": None, "lock_until": None}},
    )
    if result.matched_count == 0:
        # Cancelled (DELETE) while this request ran: its bytes go too.
        if await Upload.get(upload.id) is None:
            await storage.delete(upload.id)
        raise UploadNotFound


async def _record_after_answer(
    upload: Upload, token: str, stored: _Stored, expires_at: datetime, storage: FileStorage
) -> None:
    # Not found: cancelled meanwhile (its bytes went with it), or the claim
    # ran out and another request took over, dropping what was not recorded.
    with suppress(UploadNotFound):
        await _record(upload, token, stored, expires_at, storage)


async def finish(upload: Upload, storage: FileStorage) -> Video:
    """Make the complete upload's file whole and record it as the video with its id.

    Each step is idempotent, so a finish cut short (a process killed) is
    completed by the next request that finds the upload complete.
    """
    assert upload.id is not None
    assert upload.content_type is not None
    video_type = video_type_of(upload.content_type)
    filename = sanitize_filename(upload.client_filename, video_type.extension)
    writer = await storage.open_append(
        upload.id,
        upload.chunk_size,
        upload.length,
        filename,
        {"content_type": video_type.content_type},
    )
    try:
        await writer.close()
    except MissingChunks as error:
        await discard(upload, storage)
        raise UploadInterrupted from error
    received = ReceivedUpload(
        file_id=upload.id,
        filename=filename,
        video_type=video_type,
        size=upload.length,
        chunk_size=upload.chunk_size,
        title=upload.title,
    )
    video = await record_video(received, upload.owner_id)
    await upload.delete()
    return video


async def discard(upload: Upload, storage: FileStorage) -> None:
    """Cancel the upload: its document first, then its bytes (the sweeper's order too)."""
    assert upload.id is not None
    await _uploads().delete_one({"_id": upload.id})
    await storage.delete(upload.id)


async def remove_expired(storage: FileStorage, now: datetime) -> list[ObjectId]:
    """Remove uploads past their expiry that no request holds; their ids."""
    expired = {"expires_at": {"$lt": now}, **_unlocked(now)}
    removed: list[ObjectId] = []
    cursor = _uploads().find(expired, projection={"_id": True}, batch_size=500)
    async with cursor:
        ids = [doc["_id"] async for doc in cursor]
    for upload_id in ids:
        # One by one, on the same condition: a PATCH that claims it meanwhile keeps it.
        if (await _uploads().delete_one({"_id": upload_id, **expired})).deleted_count:
            removed.append(upload_id)
    return removed
