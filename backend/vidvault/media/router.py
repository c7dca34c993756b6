"""What processing made of a video: poster, storyboard and the browser-playable bytes.

Each takes the same Bearer-or-?token= access as the stream, because an
<img> or a <video> cannot send an Authorization header.
"""

from typing import Any

from fastapi import APIRouter, Request, Response

from vidvault.auth.exceptions import NotAuthenticated
from vidvault.auth.models import Caller, User
from vidvault.auth.service import issue_stream_token
from vidvault.core.dependencies import DatabaseDep, SettingsDep
from vidvault.core.exceptions import responses
from vidvault.media.exceptions import NotProcessedYet, PlaybackUnavailable
from vidvault.media.served import playback_file
from vidvault.videos.delivery import CACHE_CONTROL, not_modified, stream_response
from vidvault.videos.dependencies import StreamableVideo
from vidvault.videos.exceptions import VideoNotFound
from vidvault.videos.models import StoredImage
from vidvault.videos.ranged_routes import add_ranged_routes, sends_body
from vidvault.videos.router import STREAM_RESPONSES, DownloadFlag
from vidvault.videos.schemas import StoryboardOut
from vidvault.videos.service import video_url

router = APIRouter(prefix="/videos", tags=["videos"])

_IMAGE = {"image/webp": {"schema": {"type": "string", "format": "binary"}}}
_IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The image", "content": _IMAGE},
    304: {"description": "Not modified (If-None-Match matched the ETag)"},
    **responses(NotAuthenticated, VideoNotFound, NotProcessedYet),
}
_PLAYBACK_RESPONSES = STREAM_RESPONSES | responses(PlaybackUnavailable)


async def _image_response(request: Request, image: StoredImage, database: DatabaseDep) -> Response:
    etag = f'"{image.file_id}"'
    headers = {"etag": etag, "cache-control": CACHE_CONTROL}
    if not_modified(request.headers, etag):
        return Response(status_code=304, headers=headers)
    data = await database.storage.read_file(image.file_id)
    return Response(data, media_type=image.content_type, headers=headers)


@router.get(
    "/{video_id}/poster",
    operation_id="videos-poster",
    response_class=Response,
    responses=_IMAGE_RESPONSES,
    summary="A still from the video, at most 640 px wide (Bearer token or ?token=)",
)
async def poster(request: Request, video: StreamableVideo, database: DatabaseDep) -> Response:
    if video.poster is None:
        raise NotProcessedYet("The poster is not made yet: the video is still being processed")
    return await _image_response(request, video.poster, database)


@router.get(
    "/{video_id}/storyboard",
    operation_id="videos-storyboard",
    responses=responses(NotAuthenticated, VideoNotFound, NotProcessedYet),
    summary="The seek-bar preview's index: where each moment's tile is in the sprite",
)
async def storyboard(video: StreamableVideo, settings: SettingsDep) -> StoryboardOut:
    sheet = video.storyboard
    if sheet is None:
        raise NotProcessedYet("The storyboard is not made yet: the video is still being processed")
    assert video.id is not None
    owner = await User.get(video.owner_id)  # only the owner gets here
    if owner is None:
        raise VideoNotFound
    token = issue_stream_token(Caller.of(owner), video.id, settings)
    return StoryboardOut(
        sprite_url=video_url(video.id, "storyboard/sprite", token),
        sprite_content_type=sheet.content_type,
        **sheet.model_dump(exclude={"file_id", "content_type"}),
    )


@router.get(
    "/{video_id}/storyboard/sprite",
    operation_id="videos-storyboard-sprite",
    response_class=Response,
    responses=_IMAGE_RESPONSES,
    summary="The storyboard's sprite image (Bearer token or ?token=)",
)
async def storyboard_sprite(
    request: Request, video: StreamableVideo, database: DatabaseDep
) -> Response:
    sheet = video.storyboard
    if sheet is None:
        raise NotProcessedYet("The storyboard is not made yet: the video is still being processed")
    image = StoredImage(
        file_id=sheet.file_id,
        content_type=sheet.content_type,
        width=sheet.columns * sheet.tile_width,
        height=sheet.rows * sheet.tile_height,
    )
    return await _image_response(request, image, database)


async def playback(
    request: Request, video: StreamableVideo, database: DatabaseDep, download: DownloadFlag = False
) -> Response:
    return stream_response(
        playback_file(video),
        request.headers,
        database,
        download=download,
        send_body=sends_body(request),
    )


add_ranged_routes(
    router,
    "/{video_id}/playback",
    playback,
    operation_id="videos-playback",
    summary="Bytes every current browser plays (the original or its H.264 copy), with ranges",
    head_summary="The playback stream's headers only",
    responses=_PLAYBACK_RESPONSES,
)
