from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from vidvault.accounts.exceptions import QuotaExceeded
from vidvault.auth.dependencies import CurrentCaller, CurrentUser
from vidvault.auth.exceptions import NotAuthenticated
from vidvault.auth.models import Caller
from vidvault.core.dependencies import DatabaseDep, SettingsDep
from vidvault.core.exceptions import RequestTooLarge, responses
from vidvault.uploads.dependencies import UploadGateDep
from vidvault.uploads.exceptions import (
    InvalidTitle,
    InvalidUpload,
    NotAVideo,
    UploadTooLarge,
)
from vidvault.uploads.form import MAX_FORM_BYTES, receive_form_upload
from vidvault.videos import service
from vidvault.videos.delivery import ServedFile, stream_response
from vidvault.videos.dependencies import (
    LibrarySortDep,
    OwnedVideo,
    PageCursor,
    SearchQuery,
    StreamableVideo,
)
from vidvault.videos.exceptions import RangeNotSatisfiable, VideoNotFound
from vidvault.videos.ranged_routes import add_ranged_routes, sends_body
from vidvault.videos.schemas import UPLOAD_REQUEST_BODY, VideoOut, VideoPage, VideoRename

router = APIRouter(prefix="/videos", tags=["videos"])

_VIDEO_BYTES = {"schema": {"type": "string", "format": "binary"}}
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The whole video", "content": {"video/*": _VIDEO_BYTES}},
    206: {"description": "The requested byte range", "content": {"video/*": _VIDEO_BYTES}},
    304: {"description": "Not modified (If-None-Match matched the ETag)"},
    **responses(NotAuthenticated, VideoNotFound, RangeNotSatisfiable),
}


@router.post(
    "",
    operation_id="videos-upload",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={"requestBody": UPLOAD_REQUEST_BODY},
    responses={
        201: {
            "headers": {"Location": {"description": "The new video", "schema": {"type": "string"}}}
        },
        **responses(
            NotAuthenticated, UploadTooLarge, QuotaExceeded, NotAVideo, InvalidUpload, InvalidTitle
        ),
    },
    summary="Upload a video (multipart: file, optional title), streamed into storage",
)
async def upload_video(
    request: Request,
    response: Response,
    user: CurrentUser,
    settings: SettingsDep,
    database: DatabaseDep,
    gate: UploadGateDep,
) -> VideoOut:
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        gate.declare(int(declared) - MAX_FORM_BYTES)
    received = await receive_form_upload(
        request.stream(), request.headers.get("content-type"), database.storage, gate
    )
    video = await service.create_video(received, user, database)
    response.headers["Location"] = f"{service.API_PREFIX}/videos/{video.id}"
    return service.to_resource(video, Caller.of(user), settings)


@router.get(
    "",
    operation_id="videos-list",
    responses=responses(NotAuthenticated),
    summary="The caller's videos: search by title, sort, and page with a cursor",
)
async def list_videos(
    user: CurrentCaller,
    settings: SettingsDep,
    sort: LibrarySortDep,
    cursor: PageCursor,
    q: SearchQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> VideoPage:
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
async def get_video(video: OwnedVideo, user: CurrentCaller, settings: SettingsDep) -> VideoOut:
    return service.to_resource(video, user, settings)


@router.patch(
    "/{video_id}",
    operation_id="videos-rename",
    responses=responses(NotAuthenticated, VideoNotFound, RequestTooLarge),
    summary="Rename a video",
)
async def rename_video(
    body: VideoRename, video: OwnedVideo, user: CurrentCaller, settings: SettingsDep
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


async def stream_video(
    request: Request, video: StreamableVideo, database: DatabaseDep, download: DownloadFlag = False
) -> Response:
    return stream_response(
        ServedFile.original(video),
        request.headers,
        database,
        download=download,
        send_body=sends_body(request),
    )


add_ranged_routes(
    router,
    "/{video_id}/stream",
    stream_video,
    operation_id="videos-stream",
    summary="The video's bytes, with byte ranges (Bearer token or ?token=)",
    head_summary="The stream's headers only",
    responses=STREAM_RESPONSES,
)
