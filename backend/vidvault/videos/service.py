"""The library: store, list, rename and delete a user's videos."""

from beanie import PydanticObjectId
from bson.errors import InvalidId
from pymongo.errors import DuplicateKeyError

from vidvault.auth.models import Caller, User
from vidvault.auth.service import issue_stream_token
from vidvault.core.config import Settings
from vidvault.core.database import Database
from vidvault.jobs import service as jobs
from vidvault.media.steps import Step
from vidvault.shares.models import Share
from vidvault.uploads.form import ReceivedUpload
from vidvault.videos.exceptions import VideoNotFound
from vidvault.videos.filenames import clean_title, default_title
from vidvault.videos.models import Video
from vidvault.videos.pagination import SORT_KEYS, Cursor, LibrarySort
from vidvault.videos.schemas import MAX_TITLE_LENGTH, VideoOut
from vidvault.videos.search import query_terms, search_fields

API_PREFIX = "/api/v1"


def stream_path(video_id: PydanticObjectId) -> str:
    return f"{API_PREFIX}/videos/{video_id}/stream"


def video_url(video_id: PydanticObjectId, part: str, token: str) -> str:
    """A path under the video with its stream token: for <video>, <img> and fetch alike."""
    return f"{API_PREFIX}/videos/{video_id}/{part}?token={token}"


def has_playback(video: Video) -> bool:
    return video.playback_copy is not None or bool(video.plays_in_browsers)


def to_resource(video: Video, viewer: Caller, settings: Settings) -> VideoOut:
    assert video.id is not None
    token = issue_stream_token(viewer, video.id, settings)
    return VideoOut(
        id=video.id,
        title=video.title,
        filename=video.filename,
        content_type=video.content_type,
        size=video.size,
        created_at=video.created_at,
        stream_url=video_url(video.id, "stream", token),
        status=video.status,
        processing_error=video.processing_error,
        progress=video.progress,
        duration_seconds=video.duration_seconds,
        width=video.width,
        height=video.height,
        video_codec=video.video_codec,
        audio_codec=video.audio_codec,
        playback_url=video_url(video.id, "playback", token) if has_playback(video) else None,
        poster_url=video_url(video.id, "poster", token) if video.poster else None,
        storyboard_url=video_url(video.id, "storyboard", token) if video.storyboard else None,
    )


def _title_for(upload: ReceivedUpload) -> str:
    title = clean_title(upload.title or "") or default_title(upload.filename)
    return title[:MAX_TITLE_LENGTH]


async def _insert_video(upload: ReceivedUpload, owner_id: PydanticObjectId) -> Video:
    title = _title_for(upload)
    video = Video(
        id=PydanticObjectId(upload.file_id),  # a video's id is its original file's
        owner_id=owner_id,
        file_id=PydanticObjectId(upload.file_id),
        title=title,
        filename=upload.filename,
        content_type=upload.video_type.content_type,
        size=upload.size,
        chunk_size=upload.chunk_size,
        **search_fields(title),
    )
    await video.insert()
    return video


async def _start_processing(video: Video) -> None:
    assert video.id is not None
    # Should this fail, the start-up migration queues the video's job.
    await jobs.enqueue(video.id, Step.INSPECT)


async def create_video(upload: ReceivedUpload, owner: User, database: Database) -> Video:
    """Record an uploaded file as the owner's video (the file is removed on failure)."""
    assert owner.id is not None
    try:
        video = await _insert_video(upload, owner.id)
    except BaseException:
        await database.storage.delete(upload.file_id)
        raise
    await _start_processing(video)
    return video


async def record_video(upload: ReceivedUpload, owner_id: PydanticObjectId) -> Video:
    """The owner's video for a finished resumable upload, with the upload's id.

    Idempotent: recording the same file again returns the video already made
    (a finish cut short is completed by the next request).
    """
    try:
        video = await _insert_video(upload, owner_id)
    except DuplicateKeyError:
        existing = await Video.find_one(Video.id == upload.file_id, Video.owner_id == owner_id)
        if existing is None:
            raise
        return existing
    await _start_processing(video)
    return video


async def find_owned(owner_id: PydanticObjectId, video_id: str) -> Video:
    """The video if it exists and belongs to the owner; anything else is the same 404."""
    video = await owned_or_none(owner_id, video_id)
    if video is None:
        raise VideoNotFound
    return video


async def owned_or_none(owner_id: PydanticObjectId, video_id: str) -> Video | None:
    """One query: the video with this id, only if the owner's (None for a malformed id)."""
    try:
        object_id = PydanticObjectId(video_id)
    except (InvalidId, TypeError, ValueError):
        return None
    return await Video.find_one(Video.id == object_id, Video.owner_id == owner_id)


async def list_page(
    owner_id: PydanticObjectId,
    limit: int,
    *,
    sort: LibrarySort = LibrarySort.NEWEST,
    query: str | None = None,
    cursor: Cursor | None = None,
) -> tuple[list[Video], Cursor | None]:
    """One page of the owner's videos in `sort` order, those matching `query` if given."""
    key = SORT_KEYS[sort]
    conditions: dict[str, object] = {"owner_id": owner_id}
    if terms := query_terms(query):
        conditions["title_terms"] = {"$all": terms}
    if cursor is not None:
        conditions |= cursor.after_filter()
    videos = (
        await Video.find(conditions)
        .sort(key.spec())
        .limit(limit + 1)  # one more than asked tells whether another page exists
        .to_list()
    )
    if len(videos) <= limit:
        return videos, None
    last = videos[limit - 1]
    assert last.id is not None
    return videos[:limit], Cursor(sort, getattr(last, key.field), last.id)


async def rename(video: Video, title: str) -> Video:
    await video.set({"title": title, **search_fields(title)})
    return video


async def delete_video(video: Video, database: Database) -> None:
    # The video goes first: it must never point at a missing file. Should the
    # file's removal fail, the sweeper collects what is left of it. Its share
    # links stop with it (they look the video up), then go too.
    await video.delete()
    assert video.id is not None
    # A job being worked on is cancelled: its worker stops and removes what it stored.
    await jobs.cancel_for_videos([video.id])
    await Share.find(Share.video_id == video.id).delete()
    await database.storage.delete_many(video.stored_file_ids())
