"""What an upload can be refused for, on any route."""

from fastapi import status

from vidvault.core.exceptions import AppError


class NotAVideo(AppError):
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    detail = (
        "The file is not a supported video container (MP4, QuickTime, WebM, Matroska, Ogg or AVI)"
    )


class UploadTooLarge(AppError):
    status_code = status.HTTP_413_CONTENT_TOO_LARGE
    detail = "The upload is larger than MAX_UPLOAD_BYTES"

    def __init__(self, max_bytes: int):
        super().__init__(f"The upload is larger than the limit of {max_bytes} bytes")


class InvalidUpload(AppError):
    status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
    detail = "The upload must be multipart/form-data with a 'file' part and an optional 'title'"


class UploadInterrupted(AppError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    detail = "The upload was interrupted before all of it was stored; please send it again"


class InvalidTitle(AppError):
    status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
    detail = "The title is too long: at most 200 characters"


class UploadNotFound(AppError):
    status_code = status.HTTP_404_NOT_FOUND
    detail = "Upload not found (it may have expired, finished or been cancelled)"


class OffsetMismatch(AppError):
    status_code = status.HTTP_409_CONFLICT
    detail = "Upload-Offset does not match the bytes stored; ask with HEAD and resume from there"


class UploadBusy(AppError):
    status_code = status.HTTP_423_LOCKED
    detail = "Another request is appending to this upload; retry shortly"


class TusVersionUnsupported(AppError):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    detail = "Send Tus-Resumable: 1.0.0 (the tus protocol version this server speaks)"


class InvalidTusRequest(AppError):
    status_code = status.HTTP_400_BAD_REQUEST
    detail = "The request does not follow the tus 1.0 protocol"


class NotOffsetOctetStream(AppError):
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    detail = "A PATCH body must be sent as Content-Type: application/offset+octet-stream"
