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
