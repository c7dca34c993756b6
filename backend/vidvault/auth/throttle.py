"""Brute-force protection for login: failures counted per account and per client.

Every attempt counts as a failure until it succeeds, so parallel guesses
cannot overtake the counter.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import Any

from pymongo import ReturnDocument

from vidvault.auth.exceptions import TooManyLoginAttempts
from vidvault.auth.models import LoginThrottle

CLIENT_FAILURE_FACTOR = 5


@dataclass(frozen=True, slots=True)
class ThrottleKey:
    key: str
    max_failures: int


@dataclass(frozen=True, slots=True)
class LoginThrottler:
    max_failures: int
    window_seconds: int

    def keys(self, email: str, client_address: str) -> tuple[ThrottleKey, ThrottleKey]:
        return (
            ThrottleKey(f"account:{email}", self.max_failures),
            ThrottleKey(f"client:{client_address}", self.max_failures * CLIENT_FAILURE_FACTOR),
        )

    async def begin_attempt(self, keys: tuple[ThrottleKey, ...]) -> None:
        """Count this attempt against every key before the password is checked.

        Counting first (one atomic increment) closes the race in which a burst
        of parallel guesses all pass a read-only check before any failure is
        recorded; a success then takes its attempt back.
        """
        now = datetime.now(UTC)
        for key in keys:
            entry = await self._count_attempt(key.key, now)
            window_ends_at: datetime = entry["window_ends_at"]
            if entry["failures"] > key.max_failures and window_ends_at > now:
                raise TooManyLoginAttempts(ceil((window_ends_at - now).total_seconds()))

    async def record_success(self, keys: tuple[ThrottleKey, ...]) -> None:
        account, *others = keys
        collection = LoginThrottle.get_pymongo_collection()
        await collection.delete_one({"_id": account.key})
        for key in others:
            await collection.update_one({"_id": key.key}, {"$inc": {"failures": -1}})

    async def _count_attempt(self, key: str, now: datetime) -> dict[str, Any]:
        collection = LoginThrottle.get_pymongo_collection()
        # A window that is over starts again (the TTL monitor may not have run yet).
        await collection.delete_one({"_id": key, "window_ends_at": {"$lte": now}})
        entry: dict[str, Any] | None = await collection.find_one_and_update(
            {"_id": key},
            {
                "$inc": {"failures": 1},
                "$setOnInsert": {"window_ends_at": now + timedelta(seconds=self.window_seconds)},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert entry is not None  # upsert with ReturnDocument.AFTER always returns one
        return entry
