from typing import Any

from fastapi import APIRouter, Request, Response, status

from vidvault.auth.exceptions import NotAuthenticated
from vidvault.core.dependencies import DatabaseDep, SettingsDep
from vidvault.core.exceptions import RequestTooLarge, responses
from vidvault.media.exceptions import NotProcessedYet
from vidvault.media.served import shared_file
from vidvault.shares import service
from vidvault.shares.dependencies import OpenedShareDep
from vidvault.shares.exceptions import (
    SharedLinkInvalid,
    ShareNotFound,
    TooManySharedRequests,
    TooManyShares,
)
from vidvault.shares.schemas import ShareCreate, SharedVideoOut, ShareOut
from vidvault.videos.delivery import not_modified, stream_response
from vidvault.videos.dependencies import OwnedVideo
from vidvault.videos.exceptions import RangeNotSatisfiable, VideoNotFound
from vidvault.videos.ranged_routes import add_ranged_routes, sends_body
from vidvault.videos.router import STREAM_RESPONSES

owner_router = APIRouter(prefix="/videos/{video_id}/shares", tags=["shares"])
public_router = APIRouter(prefix="/shared", tags=["shared"])

# Every byte is checked against the share again: a browser may keep nothing.
SHARED_CACHE_CONTROL = "private, no-cache"
_PLAYBACK_RESPONSES: dict[int | str, dict[str, Any]] = {
    **{code: STREAM_RESPONSES[code] for code in (200, 206, 304)},
    **responses(SharedLinkInvalid, RangeNotSatisfiable, TooManySharedRequests),
}
_POSTER = {"image/webp": {"schema": {"type": "string", "format": "binary"}}}


@owner_router.post(
    "",
    operation_id="shares-create",
    status_code=status.HTTP_201_CREATED,
    responses=responses(NotAuthenticated, VideoNotFound, TooManyShares, RequestTooLarge),
    summary="Create a link that opens this one video without an account",
)
async def create_share(body: ShareCreate, video: OwnedVideo, settings: SettingsDep) -> ShareOut:
    share = await service.create_share(video, body.expires_at, settings)
    return service.to_out(share, settings)


@owner_router.get(
    "",
    operation_id="shares-list",
    responses=responses(NotAuthenticated, VideoNotFound),
    summary="The video's share links, newest first (expired ones included)",
)
async def list_shares(video: OwnedVideo, settings: SettingsDep) -> list[ShareOut]:
    return [service.to_out(share, settings) for share in await service.list_shares(video)]


@owner_router.delete(
    "/{share_id}",
    operation_id="shares-revoke",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=responses(NotAuthenticated, VideoNotFound, ShareNotFound),
    summary="Revoke a share link: it stops working at once, mid-playback included",
)
async def revoke_share(share_id: str, video: OwnedVideo) -> None:
    await service.revoke_share(video, share_id)


@public_router.get(
    "/{token}",
    operation_id="shared-get",
    responses=responses(SharedLinkInvalid, TooManySharedRequests),
    summary="What a share link shows (no account needed)",
)
async def get_shared(opened: OpenedShareDep) -> SharedVideoOut:
    return service.public_view(opened.share, opened.video, opened.token)


async def shared_playback(
    request: Request, opened: OpenedShareDep, database: DatabaseDep
) -> Response:
    return stream_response(
        shared_file(opened.video),
        request.headers,
        database,
        download=False,
        send_body=sends_body(request),
        cache_control=SHARED_CACHE_CONTROL,
    )


add_ranged_routes(
    public_router,
    "/{token}/playback",
    shared_playback,
    operation_id="shared-playback",
    summary="The shared video's playable bytes, with byte ranges (no account needed)",
    head_summary="The shared playback's headers only",
    responses=_PLAYBACK_RESPONSES,
)


@public_router.get(
    "/{token}/poster",
    operation_id="shared-poster",
    response_class=Response,
    responses={
        200: {"description": "A still from the video", "content": _POSTER},
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
        **responses(SharedLinkInvalid, NotProcessedYet, TooManySharedRequests),
    },
    summary="The shared video's poster (no account needed)",
)
async def shared_poster(
    request: Request, opened: OpenedShareDep, database: DatabaseDep
) -> Response:
    poster = opened.video.poster
    if poster is None:
        raise NotProcessedYet("The poster is not made yet: the video is still being processed")
    etag = f'"{poster.file_id}"'
    headers = {"etag": etag, "cache-control": SHARED_CACHE_CONTROL}
    if not_modified(request.headers, etag):
        return Response(status_code=304, headers=headers)
    data = await database.storage.read_file(poster.file_id)
    return Response(data, media_type=poster.content_type, headers=headers)
