"""Dependencies of the share routes: a counted anonymous caller, and the video a link opens."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path

from vidvault.auth.dependencies import ClientKey
from vidvault.auth.throttle import AttemptCounter, ThrottleKey
from vidvault.core.dependencies import SettingsDep
from vidvault.shares import service
from vidvault.shares.exceptions import TooManySharedRequests
from vidvault.shares.models import Share
from vidvault.videos.models import Video

ShareToken = Annotated[str, Path(description="The token from the share link")]


async def count_shared_request(client: ClientKey, settings: SettingsDep) -> None:
    """Anonymous requests per client address, counted in MongoDB across every replica."""
    key = ThrottleKey(f"shared-client:{client}", settings.shared_max_requests)
    await AttemptCounter(settings.shared_window_seconds).count((key,), TooManySharedRequests)


@dataclass(frozen=True, slots=True)
class OpenedShare:
    token: str
    share: Share
    video: Video


async def opened_share(
    token: ShareToken, _counted: Annotated[None, Depends(count_shared_request)]
) -> OpenedShare:
    # Looked up on every request, each range of a playback included: a revoked
    # or expired link stops at once, on every replica, with nothing cached.
    share, video = await service.open_share(token)
    return OpenedShare(token, share, video)


OpenedShareDep = Annotated[OpenedShare, Depends(opened_share)]
