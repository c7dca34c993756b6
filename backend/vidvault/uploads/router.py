"""tus 1.0 resumable uploads at /uploads: core, creation, creation-with-upload,
termination and expiration. See resumable.py for how an upload is kept."""

from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Annotated, Any

from beanie import PydanticObjectId
from fastapi import APIRouter, Header, Request, Response, status
from fastapi.routing import APIRoute
from starlette.background import BackgroundTask

from vidvault.auth.dependencies import CurrentUser, CurrentUserId
from vidvault.auth.exceptions import NotAuthenticated
from vidvault.core.config import Settings
from vidvault.core.dependencies import DatabaseDep, SettingsDep
from vidvault.core.exceptions import AppError, responses
from vidvault.uploads import resumable, tus
from vidvault.uploads.dependencies import UploadGateDep
from vidvault.uploads.exceptions import (
    InvalidTitle,
    InvalidTusRequest,
    NotAVideo,
    NotOffsetOctetStream,
    OffsetMismatch,
    TusVersionUnsupported,
    UploadBusy,
    UploadNotFound,
    UploadTooLarge,
)
from vidvault.uploads.models import Upload
from vidvault.videos import service as video_service
from vidvault.videos.exceptions import VideoNotFound
from vidvault.videos.models import Video
from vidvault.videos.service import API_PREFIX


class TusRoute(APIRoute):
    """Every response of these routes, errors included, names the protocol version."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_tus_version(request: Request) -> Response:
            try:
                response = await handler(request)
            except AppError as error:
                error.headers = {**(error.headers or {}), "Tus-Resumable": tus.TUS_VERSION}
                raise
            response.headers["Tus-Resumable"] = tus.TUS_VERSION
            return response

        return with_tus_version


router = APIRouter(prefix="/uploads", tags=["uploads"], route_class=TusRoute)

TusResumable = Annotated[str | None, Header(alias="Tus-Resumable", description="Must be 1.0.0")]
UploadLength = Annotated[
    str | None, Header(alias="Upload-Length", description="The whole upload's size in bytes")
]
UploadMetadata = Annotated[
    str | None,
    Header(
        alias="Upload-Metadata",
        description="`filename` and optional `title`, each as `key base64(value)`, comma-separated",
    ),
]
UploadOffset = Annotated[
    str | None, Header(alias="Upload-Offset", description="Where this body's bytes begin")
]
ContentType = Annotated[str | None, Header(alias="Content-Type")]


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


_TUS_RESUMABLE = {"Tus-Resumable": _header("1.0.0")}
_EXPIRES = {"Upload-Expires": _header("When the unfinished upload expires (HTTP date)")}
_OFFSET = {"Upload-Offset": _header("Bytes stored so far")}
_OFFSET_BODY = {
    "required": False,
    "content": {tus.OFFSET_OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}}},
}


def _tus_errors(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    return responses(NotAuthenticated, InvalidTusRequest, TusVersionUnsupported, *errors)


def _expiry(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.upload_expiry_seconds)


def _location(upload_id: object) -> str:
    return f"{API_PREFIX}{router.prefix}/{upload_id}"


@router.options(
    "",
    operation_id="uploads-options",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={
        204: {
            "description": "What this server supports",
            "headers": {
                **_TUS_RESUMABLE,
                "Tus-Version": _header("1.0.0"),
                "Tus-Extension": _header(tus.TUS_EXTENSIONS),
                "Tus-Max-Size": _header("The largest upload accepted, in bytes"),
            },
        }
    },
    summary="tus: the protocol version, extensions and largest size this server accepts",
)
async def upload_options(settings: SettingsDep) -> Response:
    return Response(
        status_code=status.HTTP_204_NO_CONTENT,
        headers={
            "Tus-Version": tus.TUS_VERSION,
            "Tus-Extension": tus.TUS_EXTENSIONS,
            "Tus-Max-Size": str(settings.max_upload_bytes),
        },
    )


def _progress_headers(offset: int, expires_at: datetime) -> dict[str, str]:
    return {"Upload-Offset": str(offset), "Upload-Expires": tus.http_date(expires_at)}


def _streams_offset_bytes(request: Request, content_type: str | None) -> bool:
    has_body = request.headers.get("content-length", "0") != "0" or (
        "transfer-encoding" in request.headers
    )
    return content_type == tus.OFFSET_OCTET_STREAM and has_body


@router.post(
    "",
    operation_id="uploads-create",
    status_code=status.HTTP_201_CREATED,
    response_class=Response,
    openapi_extra={"requestBody": _OFFSET_BODY},
    responses={
        201: {
            "description": "Created; with a body (creation-with-upload), its bytes are stored",
            "headers": {
                **_TUS_RESUMABLE,
                "Location": _header("The upload's URL, for HEAD, PATCH and DELETE"),
                **_EXPIRES,
                **_OFFSET,
            },
        },
        **_tus_errors(UploadTooLarge, NotAVideo, InvalidTitle),
    },
    summary="tus: create an upload (Upload-Length, Upload-Metadata), maybe with its first bytes",
)
async def create_upload(
    request: Request,
    user: CurrentUser,
    settings: SettingsDep,
    database: DatabaseDep,
    gate: UploadGateDep,
    tus_resumable: TusResumable = None,
    upload_length: UploadLength = None,
    upload_metadata: UploadMetadata = None,
    content_type: ContentType = None,
) -> Response:
    tus.require_version(tus_resumable)
    length = tus.parse_length("Upload-Length", upload_length)
    metadata = tus.parse_metadata(upload_metadata)
    upload = await resumable.create(
        user, length, metadata, gate, settings.gridfs_chunk_size, _expiry(settings)
    )
    headers = {"Location": _location(upload.id)}
    if not _streams_offset_bytes(request, content_type):
        return Response(
            status_code=status.HTTP_201_CREATED,
            headers=headers | {"Upload-Expires": tus.http_date(upload.expires_at)},
        )
    assert user.id is not None
    progress = await resumable.append(
        user.id, str(upload.id), 0, request.stream(), database.storage, _expiry(settings)
    )
    headers |= _progress_headers(progress.offset, progress.expires_at)
    return Response(
        status_code=status.HTTP_201_CREATED,
        headers=headers,
        background=BackgroundTask(progress.recorded),
    )


async def _upload_or_its_video(owner_id: PydanticObjectId, upload_id: str) -> Upload | Video:
    """The live upload, or, once it has finished, the video it became."""
    try:
        return await resumable.settled(await resumable.find(owner_id, upload_id))
    except UploadNotFound:
        try:
            return await video_service.find_owned(owner_id, upload_id)
        except VideoNotFound:
            raise UploadNotFound from None


@router.head(
    "/{upload_id}",
    operation_id="uploads-offset",
    response_class=Response,
    responses={
        200: {
            "description": "How far the upload is (complete once offset equals length)",
            "headers": {
                **_TUS_RESUMABLE,
                **_OFFSET,
                "Upload-Length": _header("The whole upload's size"),
                **_EXPIRES,
            },
        },
        **_tus_errors(UploadNotFound),
    },
    summary="tus: the upload's offset, to resume from",
)
async def upload_offset(
    upload_id: str,
    user_id: CurrentUserId,
    database: DatabaseDep,
    tus_resumable: TusResumable = None,
) -> Response:
    tus.require_version(tus_resumable)
    found = await _upload_or_its_video(user_id, upload_id)
    headers = {"Cache-Control": "no-store"}
    if isinstance(found, Video):
        return Response(
            headers=headers | {"Upload-Offset": str(found.size), "Upload-Length": str(found.size)}
        )
    if found.complete:  # a finish cut short: complete it now
        await resumable.finish(found, database.storage)
    headers |= _progress_headers(found.offset, found.expires_at)
    return Response(headers=headers | {"Upload-Length": str(found.length)})


@router.patch(
    "/{upload_id}",
    operation_id="uploads-append",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    openapi_extra={"requestBody": _OFFSET_BODY | {"required": True}},
    responses={
        204: {
            "description": "Stored; the upload is a video once Upload-Offset equals its length",
            "headers": {**_TUS_RESUMABLE, **_OFFSET, **_EXPIRES},
        },
        **_tus_errors(
            UploadNotFound, OffsetMismatch, UploadTooLarge, NotOffsetOctetStream, UploadBusy
        ),
    },
    summary="tus: append bytes at Upload-Offset (application/offset+octet-stream)",
)
async def append_to_upload(
    upload_id: str,
    request: Request,
    user_id: CurrentUserId,
    settings: SettingsDep,
    database: DatabaseDep,
    tus_resumable: TusResumable = None,
    upload_offset: UploadOffset = None,
    content_type: ContentType = None,
) -> Response:
    tus.require_version(tus_resumable)
    if content_type != tus.OFFSET_OCTET_STREAM:
        raise NotOffsetOctetStream
    offset = tus.parse_length("Upload-Offset", upload_offset)
    progress = await resumable.append(
        user_id, upload_id, offset, request.stream(), database.storage, _expiry(settings)
    )
    return Response(
        status_code=status.HTTP_204_NO_CONTENT,
        headers=_progress_headers(progress.offset, progress.expires_at),
        # The offset is recorded after this answer, or by the next PATCH;
        # the request ends (and a graceful shutdown waits) once it is either.
        background=BackgroundTask(progress.recorded),
    )


@router.delete(
    "/{upload_id}",
    operation_id="uploads-cancel",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={
        204: {"description": "Cancelled; its bytes are gone", "headers": _TUS_RESUMABLE},
        **_tus_errors(UploadNotFound),
    },
    summary="tus: cancel an unfinished upload and remove what it stored",
)
async def cancel_upload(
    upload_id: str,
    user_id: CurrentUserId,
    database: DatabaseDep,
    tus_resumable: TusResumable = None,
) -> Response:
    tus.require_version(tus_resumable)
    upload = await resumable.find(user_id, upload_id)
    await resumable.discard(upload, database.storage)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
