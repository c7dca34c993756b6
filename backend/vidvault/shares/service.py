"""Share links: create, list and revoke (the owner), and open one (anyone holding it)."""

from datetime import UTC, datetime

from beanie import PydanticObjectId
from bson.errors import InvalidId

from vidvault.core.config import Settings
from vidvault.shares.exceptions import SharedLinkInvalid, ShareNotFound, TooManyShares
from vidvault.shares.models import Share
from vidvault.shares.schemas import SharedVideoOut, ShareOut
from vidvault.shares.tokens import TOKEN_LENGTH, share_token, token_hash
from vidvault.videos.models import Video
from vidvault.videos.service import API_PREFIX

MAX_SHARES_PER_VIDEO = 50


def shared_path(token: str) -> str:
    return f"{API_PREFIX}/shared/{token}"


def to_out(share: Share, settings: Settings) -> ShareOut:
    assert share.id is not None
    token = share_token(share.id, settings.secret_key)
    return ShareOut(
        id=share.id,
        token=token,
        url=f"{settings.public_web_url.rstrip('/')}/s/{token}",
        created_at=share.created_at,
        expires_at=share.expires_at,
    )


def _to_millis(moment: datetime | None) -> datetime | None:
    # MongoDB keeps milliseconds: what is answered now is what is read later.
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


async def create_share(video: Video, expires_at: datetime | None, settings: Settings) -> Share:
    if await Share.find(Share.video_id == video.id).count() >= MAX_SHARES_PER_VIDEO:
        raise TooManyShares
    share_id = PydanticObjectId()
    share = Share(
        id=share_id,
        video_id=video.id,
        owner_id=video.owner_id,
        token_hash=token_hash(share_token(share_id, settings.secret_key)),
        expires_at=_to_millis(expires_at),
    )
    await share.insert()
    return share


async def list_shares(video: Video) -> list[Share]:
    return await Share.find(Share.video_id == video.id).sort("-created_at").to_list()


async def revoke_share(video: Video, share_id: str) -> None:
    try:
        object_id = PydanticObjectId(share_id)
    except (InvalidId, TypeError, ValueError) as error:
        raise ShareNotFound from error
    removed = await Share.find(Share.id == object_id, Share.video_id == video.id).delete()
    if removed is None or removed.deleted_count == 0:
        raise ShareNotFound


async def open_share(token: str) -> tuple[Share, Video]:
    """The live share a token opens and its video; one 404 for every reason it cannot."""
    if len(token) != TOKEN_LENGTH:
        raise SharedLinkInvalid
    share = await Share.find_one(Share.token_hash == token_hash(token))
    if share is None or (share.expires_at is not None and share.expires_at <= datetime.now(UTC)):
        raise SharedLinkInvalid
    video = await Video.find_one(Video.id == share.video_id, Video.owner_id == share.owner_id)
    if video is None:
        raise SharedLinkInvalid
    return share, video


def public_view(share: Share, video: Video, token: str) -> SharedVideoOut:
    return SharedVideoOut(
        title=video.title,
        content_type=video.content_type,
        size=video.size,
        duration_seconds=video.duration_seconds,
        created_at=video.created_at,
        expires_at=share.expires_at,
        playback_url=f"{shared_path(token)}/playback",
        poster_url=f"{shared_path(token)}/poster" if video.poster else None,
        storyboard_url=None,
    )


async def delete_shares_of_owner(owner_id: PydanticObjectId) -> None:
    await Share.find(Share.owner_id == owner_id).delete()
