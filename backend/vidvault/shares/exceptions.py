from fastapi import status

from vidvault.core.exceptions import AppError, RetryLater


class ShareNotFound(AppError):
    status_code = status.HTTP_404_NOT_FOUND
    detail = "Share link not found"


class SharedLinkInvalid(AppError):
    # One answer for a revoked, expired, unknown or forged link, or a deleted
    # video: which of them it was is nobody's business but the owner's.
    status_code = status.HTTP_404_NOT_FOUND
    detail = "This link is not valid: it may have been revoked, have expired, or the video deleted"


class TooManyShares(AppError):
    status_code = status.HTTP_409_CONFLICT
    detail = "This video has as many share links as it may have; revoke one first"


class TooManySharedRequests(RetryLater):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    detail = "Too many requests for shared videos from this address; try again later"
