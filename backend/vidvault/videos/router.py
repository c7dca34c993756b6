from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from vidvault.accounts.exceptions import QuotaExceeded
from vidvault.accounts.quota import ensure_room
from vidvault.auth.dependencies import CurrentUser
from vidvault.auth.exceptions import NotAuthenticated
from vidvault.auth.models import User
from vidvault.core.config import Settings
from vidvault.core.dependencies import DatabaseDep, SettingsDep
from vidvault.core.exceptions import RequestTooLarge, responses
from vidvault.videos import service
from vidvault.videos.delivery import ServedFile, stream_response
from vidvault.videos.dependencies import (
    LibrarySortDep,
    OwnedVideo,
    PageCursor,
    SearchQuery,
    StreamableVideo,
)
from vidvault.videos.exceptions import (
    InvalidUpload,
    NotAVideo,
    RangeNotSatisfiable,
    UploadTooLarge,
    VideoNotFound,
)
from vidvault.videos.schemas import UPLOAD_REQUEST_BODY, VideoOut, VideoPage, VideoRename
from vidvault.videos.upload import MULTIPART_OVERHEAD_BYTES, receive_upload

router = APIRouter(prefix="/videos", tags=["videos"])

_VIDEO_BYTES = {"schema": {"type": "string", "format": "binary"}}
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The whole video", "content": {"video/*": _VIDEO_BYTES}},
    206: {"description": "The requested byte range", "content": {"video/*": _VIDEO_BYTES}},
    304: {"description": "Not modified (If-None-Match matched the ETag)"},
    **responses(NotAuthenticated, VideoNotFound, RangeNotSatisfiable),
}


def _declared_length(request: Request) -> int | None:
    declared = request.headers.get("content-length", "")
    return int(declared) if declared.isdigit() else None


def _refuse_oversized_body(request: Request, max_bytes: int) -> None:
    declared = _declared_length(request)
    if declared is not None and declared > max_bytes + MULTIPART_OVERHEAD_BYTES:
        raise UploadTooLarge(max_bytes)


async def _room_in_quota(request: Request, user: User, settings: Settings) -> int | None:
    """Refuses up front a body that cannot fit the quota; the room left, None if unlimited."""
    assert user.id is not None
    # The least the file part can be: the body less the most its framing can take.
    least_file_bytes = max(1, (_declared_length(request) or 0) - MULTIPART_OVERHEAD_BYTES)
    return await ensure_room(user.id, least_file_bytes, settings.storage_quota_bytes)


@router.post(
    "",
    operation_id="videos-upload",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={"requestBody": UPLOAD_REQUEST_BODY},
    responses={
        201: {
            "headers": {"Location": {"description": "The new video", "schema": {"type": "string"}}}
        },
        **responses(NotAuthenticated, UploadTooLarge, NotAVideo, InvalidUpload),
    },
    summary="Upload a video (multipart: file, optional title), streamed into storage",
)
async def upload_video(
    request: Request,
    response: Response,
    user: CurrentUser,
    settings: SettingsDep,
    database: DatabaseDep,
) -> VideoOut:
    _refuse_oversized_body(request, settings.max_upload_bytes)
    room = await _room_in_quota(request, user, settings)
    max_bytes = settings.max_upload_bytes if room is None else min(room, settings.max_upload_bytes)
    try:
        received = await receive_upload(
            request.stream(), request.headers.get("content-type"), database.storage, max_bytes
        )
    except UploadTooLarge as error:
        if max_bytes == settings.max_upload_bytes:
            raise
        # What ran out was the room in the quota (what was written is already removed).
        raise QuotaExceeded(
            settings.storage_quota_bytes, settings.storage_quota_bytes - max_bytes
        ) from error
    video = await service.create_video(received, user, database)
    response.headers["Location"] = f"{service.API_PREFIX}/videos/{video.id}"
    return service.to_resource(video, user, settings)


@router.get(
    "",
    operation_id="videos-list",
    responses=responses(NotAuthenticated),
    summary="The caller's videos: search by title, sort, and page with a cursor",
)
async def list_videos(
    user: CurrentUser,
    settings: SettingsDep,
    sort: LibrarySortDep,
    cursor: PageCursor,
    q: SearchQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> VideoPage:
    assert user.id is not None
    videos, next_cursor = await service.list_page(user.id, limit, sort=sort, query=q, cursor=cursor)
    return VideoPage(
        items=[service.to_resource(video, user, settings) for video in videos],
        next_cursor=next_cursor.encode() if next_cursor else None,
    )


@router.get(
    "/{video_id}",
    operation_id="videos-get",
    responses=responses(NotAuthenticated, VideoNotFound),
    summary="One video",
)
async def get_video(video: OwnedVideo, user: CurrentUser, settings: SettingsDep) -> VideoOut:
    return service.to_resource(video, user, settings)


@router.patch(
    "/{video_id}",
    operation_id="videos-rename",
    responses=responses(NotAuthenticated, VideoNotFound, RequestTooLarge),
    summary="Rename a video",
)
async def rename_video(
    body: VideoRename, video: OwnedVideo, user: CurrentUser, settings: SettingsDep
) -> VideoOut:
    return service.to_resource(await service.rename(video, body.title), user, settings)


@router.delete(
    "/{video_id}",
    operation_id="videos-delete",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=responses(NotAuthenticated, VideoNotFound),
    summary="Delete a video and its stored bytes",
)
async def delete_video(video: OwnedVideo, database: DatabaseDep) -> None:
    await service.delete_video(video, database)


DownloadFlag = Annotated[
    bool, Query(description="1 to get Content-Disposition: attachment (a download)")
]


@router.get(
    "/{video_id}/stream",
    operation_id="videos-stream",
    response_class=Response,
    responses=STREAM_RESPONSES,
    summary="The video's bytes, with byte ranges (Bearer token or ?token=)",
)
async def stream_video(
    request: Request, video: StreamableVideo, database: DatabaseDep, download: DownloadFlag = False
) -> Response:
    return stream_response(
        ServedFile.original(video), request.headers, database, download=download, send_body=True
    )


@router.head(
    "/{video_id}/stream",
    operation_id="videos-stream-head",
    response_class=Response,
    responses=STREAM_RESPONSES,
    summary="The stream's headers only",
)
async def stream_video_head(
    request: Request, video: StreamableVideo, database: DatabaseDep, download: DownloadFlag = False
) -> Response:
    return stream_response(
        ServedFile.original(video), request.headers, database, download=download, send_body=False
    )
