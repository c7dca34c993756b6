"""Dependencies that hand video routes a video the caller may see, or a 404/401."""

import asyncio
from typing import Annotated

from beanie import PydanticObjectId
from fastapi import Depends, Path, Query
from fastapi.exceptions import RequestValidationError

from vidvault.auth.dependencies import (
    BearerToken,
    CurrentCaller,
    TokenVersionsDep,
    access_token_claims,
    stream_token_claims,
)
from vidvault.auth.exceptions import NotAuthenticated
from vidvault.auth.token_versions import TokenVersions
from vidvault.core.dependencies import SettingsDep
from vidvault.core.security import TokenClaims
from vidvault.videos import service
from vidvault.videos.exceptions import InvalidCursor, VideoNotFound
from vidvault.videos.models import Video
from vidvault.videos.pagination import Cursor, LibrarySort

VideoId = Annotated[str, Path(description="The video's id")]


async def valid_owned_video(video_id: VideoId, caller: CurrentCaller) -> Video:
    return await service.find_owned(caller.id, video_id)


async def _valid_and_owned(
    claims: TokenClaims, video_id: str, versions: TokenVersions
) -> tuple[bool, Video | None]:
    """Whether the token still holds, and the video if its subject owns it: both at once."""
    if not PydanticObjectId.is_valid(claims.subject):
        return False, None
    owner = PydanticObjectId(claims.subject)
    holds, video = await asyncio.gather(
        versions.holds(claims), service.owned_or_none(owner, video_id)
    )
    return holds, video


def _found(video: Video | None) -> Video:
    if video is None:
        raise VideoNotFound
    return video


async def streamable_video(
    video_id: VideoId,
    bearer: BearerToken,
    settings: SettingsDep,
    versions: TokenVersionsDep,
    token: Annotated[
        str | None,
        Query(description="Stream token from the video's stream_url (instead of a Bearer token)"),
    ] = None,
) -> Video:
    """The stream accepts an access token (Bearer) or the video's own stream token.

    A player sends many ranged requests in a row, each waiting for this before
    its first byte. So the token's version comes from TokenVersions (a recent
    read, or one query) while the video and its owner are looked up in the
    same query, at the same time.
    """
    access = access_token_claims(bearer, settings)
    if access is not None:
        holds, video = await _valid_and_owned(access, video_id, versions)
        if holds:
            return _found(video)
    if not token:
        raise NotAuthenticated
    claims = stream_token_claims(token, video_id, settings)
    holds, video = await _valid_and_owned(claims, video_id, versions)
    if not holds:
        raise NotAuthenticated("The stream token has been revoked")
    return _found(video)


def _invalid_query_parameter(name: str, message: str) -> RequestValidationError:
    # Shaped like every other invalid query parameter, so that the route
    # has one documented 422 body (FastAPI's HTTPValidationError).
    return RequestValidationError([{"type": "value_error", "loc": ["query", name], "msg": message}])


def library_sort(
    sort: Annotated[
        LibrarySort,
        Query(
            description=(
                "newest or oldest first, title A to Z (ignoring case and accents), "
                "duration longest first, size largest first"
            )
        ),
    ] = LibrarySort.NEWEST,
) -> LibrarySort:
    return sort


def page_cursor(
    sort: Annotated[LibrarySort, Depends(library_sort)],
    cursor: Annotated[
        str | None, Query(max_length=300, description="next_cursor of the previous page")
    ] = None,
) -> Cursor | None:
    if not cursor:
        return None
    try:
        decoded = Cursor.decode(cursor)
    except InvalidCursor as error:
        raise _invalid_query_parameter("cursor", error.message) from error
    if decoded.sort is not sort:
        raise _invalid_query_parameter("cursor", "The cursor belongs to another sort order")
    return decoded


SearchQuery = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Words the title must contain, or start with; case and accents are ignored",
    ),
]
OwnedVideo = Annotated[Video, Depends(valid_owned_video)]
StreamableVideo = Annotated[Video, Depends(streamable_video)]
PageCursor = Annotated[Cursor | None, Depends(page_cursor)]
LibrarySortDep = Annotated[LibrarySort, Depends(library_sort)]
