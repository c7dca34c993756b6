"""The caller's account: storage figures, password change, and deletion with everything in it.

Deletion marks the account first (which also revokes every token), then
removes what it owns, the user document last. Should the process die in
between, the account stays marked, and the purger finishes it.
"""

import asyncio
import logging

from beanie import PydanticObjectId
from pymongo.errors import PyMongoError

from vidvault.accounts.exceptions import WrongPassword
from vidvault.accounts.quota import storage_used
from vidvault.accounts.schemas import AccountOut
from vidvault.auth.models import User, utc_now
from vidvault.auth.schemas import AccessToken
from vidvault.auth.service import issue_access_token
from vidvault.core.config import Settings
from vidvault.core.database import Database
from vidvault.core.security import PasswordHasher
from vidvault.shares.models import Share
from vidvault.videos import service as videos
from vidvault.videos.models import Video

logger = logging.getLogger(__name__)


async def account_view(user: User, settings: Settings) -> AccountOut:
    assert user.id is not None
    return AccountOut(
        id=user.id,
        email=user.email,
        created_at=user.created_at,
        storage_used_bytes=await storage_used(user.id),
        storage_quota_bytes=settings.storage_quota_bytes or None,
    )


async def _require_password(user: User, password: str, hasher: PasswordHasher) -> None:
    if not await hasher.verify(password, user.password_hash):
        raise WrongPassword


async def change_password(
    user: User, current: str, new: str, hasher: PasswordHasher, settings: Settings
) -> AccessToken:
    """Set the new password and revoke every token; the caller gets a fresh one."""
    await _require_password(user, current, hasher)
    new_hash = await hasher.hash(new)
    updated = await User.find_one(User.id == user.id).update(
        {"$set": {"password_hash": new_hash}, "$inc": {"token_version": 1}}
    )
    assert updated is not None
    user.password_hash, user.token_version = new_hash, user.token_version + 1
    return issue_access_token(user, settings)


async def delete_account(
    user: User, password: str, hasher: PasswordHasher, database: Database
) -> None:
    await _require_password(user, password, hasher)
    assert user.id is not None
    # Marked and every token revoked in one write: nothing new arrives meanwhile.
    await User.find_one(User.id == user.id, User.deleted_at == None).update(  # noqa: E711
        {"$set": {"deleted_at": utc_now()}, "$inc": {"token_version": 1}}
    )
    await purge_account(user.id, database)


async def purge_account(user_id: PydanticObjectId, database: Database) -> None:
    """Remove everything a marked account owns, then the account. Safe to repeat."""
    async for video in Video.find(Video.owner_id == user_id):
        await videos.delete_video(video, database)
    await Share.find(Share.owner_id == user_id).delete()
    await User.find_one(User.id == user_id).delete()


async def finish_account_deletions(database: Database) -> int:
    """Complete every deletion a process began and did not finish."""
    finished = 0
    async for user in User.find(User.deleted_at != None):  # noqa: E711
        assert user.id is not None
        await purge_account(user.id, database)
        finished += 1
    if finished:
        logger.warning("finished deleting %d accounts left half-deleted", finished)
    return finished


async def finish_account_deletions_forever(database: Database, interval: float) -> None:
    while True:
        try:
            await finish_account_deletions(database)
        except PyMongoError as error:
            logger.warning(
                "account purge skipped, the database is unavailable (%s)", type(error).__name__
            )
        await asyncio.sleep(interval)
