"""Domain errors that carry their own HTTP status and message.

Routes raise these; one handler turns them into FastAPI's `{"detail": ...}`
body, so no status code or message is written inline across routes.
"""

from collections.abc import Mapping
from typing import Any, ClassVar

from fastapi import status
from pydantic import BaseModel


class ErrorBody(BaseModel):
    detail: str


class AppError(Exception):
    status_code: ClassVar[int] = status.HTTP_400_BAD_REQUEST
    detail: ClassVar[str] = "Bad request"
    headers: Mapping[str, str] | None = None

    def __init__(self, detail: str | None = None, headers: Mapping[str, str] | None = None):
        self.message = detail or self.detail
        if headers is not None:
            self.headers = headers
        super().__init__(self.message)

    @classmethod
    def response_doc(cls) -> dict[int | str, dict[str, Any]]:
        """The OpenAPI `responses` entry that declares this error."""
        return {cls.status_code: {"model": ErrorBody, "description": cls.detail}}


def responses(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """Merge the OpenAPI declarations of several errors (same status: first wins)."""
    merged: dict[int | str, dict[str, Any]] = {}
    for error in errors:
        for code, doc in error.response_doc().items():
            merged.setdefault(code, doc)
    return merged


class DatabaseUnavailable(AppError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    detail = "The database is unavailable; try again shortly"


class RequestTooLarge(AppError):
    status_code = status.HTTP_413_CONTENT_TOO_LARGE
    detail = "The request body is too large"

    def __init__(self, max_bytes: int | None = None):
        super().__init__(
            f"The request body is larger than the limit of {max_bytes} bytes" if max_bytes else None
        )


class RetryLater(AppError):
    """Refused for now: the answer says after how many seconds to try again."""

    def __init__(self, retry_after_seconds: int):
        super().__init__(headers={"Retry-After": str(retry_after_seconds)})


class ServerBusy(RetryLater):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    detail = "The server is busy; try again shortly"
