"""Resumable uploads (tus): create, append at an offset, finish into a video, cancel, expire.

Everything an upload is lives in the database: its `uploads` document
(length, offset, owner, lock) and its unfinished stored file, partial last
chunk included. So any API replica can take the next PATCH.

One request appends at a time. A PATCH claims the upload atomically, only
if its Upload-Offset is the stored one (409 otherwise) and nobody else holds
it (423), in one round trip that also checks the owner and the expiry; it
renews the claim while it runs, so a process that dies lets go within LEASE.
A request lets go only after recording every chunk it stored, so chunks past
the offset can exist only when the previous holder died holding the claim:
the claim tells, and only then are they dropped before writing.

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

from beanie import PydanticObjectId
from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError

from vidvault.auth.models import User, utc_now
from vidvault.storage import WRITE_BATCH_BYTES, FileStorage, FileWriter, MissingChunks
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


@dataclass(frozen=True, slots=True)
class Progress:
    offset: int
    expires_at: datetime
    video: Video | None  # once the last byte is in


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
    # The first batch of bytes arrives while the claim is made (bounded memory).
    async with read_ahead(body, WRITE_BATCH_BYTES) as early_body:
        claim = await _claim(owner_id, _object_id(upload_id), offset, token)
        async with _renewing(claim.upload, token):
            offset = await _receive(claim, early_body, storage, token, expiry)
    expires_at = utc_now() + expiry
    if offset < claim.upload.length:
        return Progress(offset, expires_at, None)
    finished = await Upload.get(claim.upload.id)
    if finished is None:
        raise UploadNotFound
    return Progress(offset, expires_at, await finish(finished, storage))


@dataclass(frozen=True, slots=True)
class _Claim:
    upload: Upload  # as it is now, held by this request
    # Whether the request that held it before died holding it: it may have
    # stored chunks past the offset it never recorded. A request that ends
    # lets go only after recording every chunk it stored (`_keep`), so an
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


async def _why_unclaimed(
    owner_id: PydanticObjectId, upload_id: PydanticObjectId, offset: int
) -> OffsetMismatch | UploadBusy | UploadNotFound:
    current = await Upload.find_one(Upload.id == upload_id, Upload.owner_id == owner_id)
    if current is None or _expired(current, utc_now()):
        return UploadNotFound()
    if current.offset != offset:
        return OffsetMismatch(headers={"Upload-Offset": str(current.offset)})
    return UploadBusy(headers={"Retry-After": "1"})


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


async def _receive(
    claim: _Claim, body: AsyncIterable[bytes], storage: FileStorage, token: str, expiry: timedelta
) -> int:
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
        await _keep(writer, upload, token, sniffer, expiry, storage)
        raise
    return await _keep(writer, upload, token, sniffer, expiry, storage)


async def _keep(
    writer: FileWriter,
    upload: Upload,
    token: str,
    sniffer: _Sniffer | None,
    expiry: timedelta,
    storage: FileStorage,
) -> int:
    """Store what the writer has, record the new offset and let go of the claim."""
    offset = await writer.suspend()
    content_type = upload.content_type
    if sniffer is not None and sniffer.video_type is not None:
        content_type = sniffer.video_type.content_type
    result = await _uploads().update_one(
        {"_id": upload.id, "lock": token},
        {
            "$set": {
                "offset": offset,
                "content_type": content_type,
                "expires_at": utc_now() + expiry,
                "lock": None,
                "lock_until": None,
            }
        },
    )
    if result.matched_count == 0:
        # Cancelled (DELETE) while this request ran: its bytes go too.
        if await Upload.get(upload.id) is None:
            await storage.delete(writer.file_id)
        raise UploadNotFound
    return offset


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
