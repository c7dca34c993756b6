"""Each user's current token version, remembered for a moment, per process.

A token is valid while its version is the user's: logout, a password change
and an account deletion increment it, which revokes every token at once. A
player seeking through a video sends many small ranged requests in a row,
and reading the version for each one was a database round trip before the
first byte. The stream path therefore asks `TokenVersions`, which keeps what
it read for at most `MAX_AGE_SECONDS`.

Revocation stays prompt on every replica: an entry is dated from before its
read was sent, so no replica trusts a version read more than MAX_AGE_SECONDS
before the revocation, and the replica that revokes forgets at once.
"""

import time
from collections import OrderedDict
from typing import Any

from beanie import PydanticObjectId

from vidvault.auth.models import User
from vidvault.core.security import TokenClaims

# Well inside the promise that a revocation holds everywhere within 1 s.
MAX_AGE_SECONDS = 0.5
# One small entry per recently active user; the oldest go first.
MAX_ENTRIES = 10_000


class TokenVersions:
    def __init__(
        self, max_age_seconds: float = MAX_AGE_SECONDS, max_entries: int = MAX_ENTRIES
    ) -> None:
        self._max_age = max_age_seconds
        self._max_entries = max_entries
        # user id -> (token version or None for no such user, when its read began)
        self._seen: OrderedDict[PydanticObjectId, tuple[int | None, float]] = OrderedDict()

    async def holds(self, claims: TokenClaims) -> bool:
        """Whether the token's version is its user's current one (False for a missing user)."""
        if not PydanticObjectId.is_valid(claims.subject):
            return False
        version = await self.current(PydanticObjectId(claims.subject))
        return version is not None and version == claims.version

    async def current(self, user_id: PydanticObjectId) -> int | None:
        """The user's token version, read at most MAX_AGE_SECONDS ago; None if there is no user."""
        seen = self._seen.get(user_id)
        now = time.monotonic()
        if seen is not None and now - seen[1] < self._max_age:
            return seen[0]
        version = await _read_version(user_id)
        self._remember(user_id, version, now)
        return version

    def forget(self, user_id: PydanticObjectId) -> None:
        """Drop what this process knows of the user's version (it has just changed)."""
        self._seen.pop(user_id, None)

    def _remember(self, user_id: PydanticObjectId, version: int | None, read_at: float) -> None:
        self._seen[user_id] = (version, read_at)
        self._seen.move_to_end(user_id)  # kept in order of reading: the oldest is first
        while len(self._seen) > self._max_entries:
            self._seen.popitem(last=False)


async def _read_version(user_id: PydanticObjectId) -> int | None:
    # Only the one field, straight from the driver: no document model to build.
    users = User.get_pymongo_collection()
    found: dict[str, Any] | None = await users.find_one({"_id": user_id}, {"token_version": 1})
    return None if found is None else int(found.get("token_version", 0))
