from fastapi import status

from vidvault.core.exceptions import AppError


class WrongPassword(AppError):
    # 403, not 401: the caller is authenticated, and a 401 would end their session.
    status_code = status.HTTP_403_FORBIDDEN
    detail = "The password is not correct"


class QuotaExceeded(AppError):
    status_code = status.HTTP_413_CONTENT_TOO_LARGE
    detail = "The upload would exceed your storage quota (STORAGE_QUOTA_BYTES)"

    def __init__(self, quota_bytes: int, used_bytes: int):
        super().__init__(
            f"The upload would exceed your storage quota of {quota_bytes} bytes "
            f"({used_bytes} bytes are used); delete some videos to make room"
        )
