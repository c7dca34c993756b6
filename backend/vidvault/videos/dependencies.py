"""Dependencies that hand video routes a video the caller may see, or a 404/401."""

from typing import Annotated

from fastapi import Depends, Path, Query
from fastapi.exceptions import RequestValidationError

from vidvault.auth import service as auth_service
from vidvault.auth.dependencies import BearerToken, CurrentUser, user_from_access_token
from vidvault.auth.exceptions import NotAuthenticated
from vidvault.auth.models import User
from vidvault.core.dependencies import SettingsDep
from vidvault.core.security import InvalidToken, TokenType, decode_token
from vidvault.videos import service
from vidvault.videos.exceptions import InvalidCursor
from vidvault.videos.models import Video
from vidvault.videos.pagination import Cursor

VideoId = Annotated[str, Path(description="The video's id")]


async def valid_owned_video(video_id: VideoId, user: CurrentUser) -> Video:
    assert user.id is not None
    return await service.find_owned(user.id, video_id)


async def _user_from_stream_token(token: str, video_id: str, settings: SettingsDep) -> User:
    try:
        claims = decode_token(token, settings.secret_key, TokenType.STREAM)
    except InvalidToken as error:
        raise NotAuthenticated("The stream token is invalid or has expired") from error
    if claims.video_id != video_id:
        raise NotAuthenticated("The stream token is for another video")
    user = await auth_service.user_for_claims(claims)
    if user is None:
        raise NotAuthenticated("The stream token has been revoked")
    return user


async def streamable_video(
    video_id: VideoId,
    bearer: BearerToken,
    settings: SettingsDep,
    token: Annotated[
        str | None,
        Query(description="Stream token from the video's stream_url (instead of a Bearer token)"),
    ] = None,
) -> Video:
    """The stream accepts an access token (Bearer) or the video's own stream token."""
    user = await user_from_access_token(bearer, settings)
    if user is None and token:
        user = await _user_from_stream_token(token, video_id, settings)
    if user is None:
        raise NotAuthenticated
    assert user.id is not None
    return await service.find_owned(user.id, video_id)


def page_cursor(
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
) -> Cursor | None:
    if not cursor:
        return None
    try:
        return Cursor.decode(cursor)
    except InvalidCursor as error:
        # Shaped like every other invalid query parameter, so that the route
        # has one documented 422 body (FastAPI's HTTPValidationError).
        problem = {"type": "value_error", "loc": ["query", "cursor"], "msg": error.message}
        raise RequestValidationError([problem]) from error


OwnedVideo = Annotated[Video, Depends(valid_owned_video)]
StreamableVideo = Annotated[Video, Depends(streamable_video)]
PageCursor = Annotated[Cursor | None, Depends(page_cursor)]
