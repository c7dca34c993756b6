"""Brute-force protection for login: failures counted per account and per client."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import ceil

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

    async def ensure_allowed(self, keys: tuple[ThrottleKey, ...]) -> None:
        now = datetime.now(UTC)
        for key in keys:
            entry = await LoginThrottle.get(key.key)
            if entry and entry.failures >= key.max_failures and entry.window_ends_at > now:
                raise TooManyLoginAttempts(ceil((entry.window_ends_at - now).total_seconds()))

    async def record_failure(self, keys: tuple[ThrottleKey, ...]) -> None:
        now = datetime.now(UTC)
        collection = LoginThrottle.get_pymongo_collection()
        for key in keys:
            # A window that is over starts again (the TTL monitor may not have run yet).
            await collection.delete_one({"_id": key.key, "window_ends_at": {"$lte": now}})
            await collection.find_one_and_update(
                {"_id": key.key},
                {
                    "$inc": {"failures": 1},
                    "$setOnInsert": {
                        "window_ends_at": now + timedelta(seconds=self.window_seconds)
                    },
                },
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )

    async def record_success(self, account_key: ThrottleKey) -> None:
        await LoginThrottle.get_pymongo_collection().delete_one({"_id": account_key.key})
