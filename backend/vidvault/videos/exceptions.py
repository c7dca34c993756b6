from fastapi import status

from vidvault.core.exceptions import AppError


class VideoNotFound(AppError):
    status_code = status.HTTP_404_NOT_FOUND
    detail = "Video not found"


class InvalidCursor(AppError):
    status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
    detail = "The cursor is malformed; pass next_cursor from the previous page unchanged"


class RangeNotSatisfiable(AppError):
    status_code = status.HTTP_416_RANGE_NOT_SATISFIABLE
    detail = "The requested range is outside the video"

    def __init__(self, size: int):
        super().__init__(headers={"Content-Range": f"bytes */{size}"})
