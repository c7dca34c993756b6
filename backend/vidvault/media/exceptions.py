from fastapi import status

from vidvault.core.exceptions import AppError


class NotProcessedYet(AppError):
    status_code = status.HTTP_409_CONFLICT
    detail = "This is not made yet: the video is still being processed"


class PlaybackUnavailable(AppError):
    status_code = status.HTTP_409_CONFLICT
    detail = (
        "The browser-playable copy of this video does not exist yet: it is being made. "
        "The original stays downloadable at stream_url"
    )
