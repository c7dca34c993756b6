"""Throttles for login and sign-up, with their counters in MongoDB.

Counters live in the database so a limit holds across every API replica.
Every attempt is counted before the password is checked, so parallel
guesses cannot overtake the counter; a success takes its attempt back.

Login failures are counted in this order, stopping at the first limit hit:
1. the client address: a client that is throttled never adds to anyone's count;
2. the account from this address: a lockout from one address does not stop
   the owner logging in from another that has not failed;
3. the account from everywhere, with a much higher limit, which bounds
   guessing spread over many addresses.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import Any

from pymongo import ReturnDocument

from vidvault.auth.exceptions import TooManyLoginAttempts, TooManySignups
from vidvault.auth.models import ThrottleCounter
from vidvault.core.exceptions import RetryLater

# A client address may fail this many times the per-account limit: several
# people can share one address (a household, an office behind NAT).
CLIENT_FAILURE_FACTOR = 5
# An account takes this many times the per-address limit from all addresses.
ACCOUNT_FAILURE_FACTOR = 10


@dataclass(frozen=True, slots=True)
class ThrottleKey:
    key: str
    limit: int


@dataclass(frozen=True, slots=True)
class AttemptCounter:
    """Attempts per key in a fixed window that starts with the key's first attempt."""

    window_seconds: int

    async def count(self, keys: tuple[ThrottleKey, ...], refusal: type[RetryLater]) -> None:
        """Count one attempt against each key in turn; refuse at the first one over its limit.

        `refusal` is built with the seconds until that key's window ends.
        """
        now = datetime.now(UTC)
        for key in keys:
            entry = await self._count(key.key, now)
            window_ends_at: datetime = entry["window_ends_at"]
            if entry["attempts"] > key.limit and window_ends_at > now:
                raise refusal(ceil((window_ends_at - now).total_seconds()))

    async def forget(self, key: ThrottleKey) -> None:
        await ThrottleCounter.get_pymongo_collection().delete_one({"_id": key.key})

    async def take_back(self, key: ThrottleKey) -> None:
        collection = ThrottleCounter.get_pymongo_collection()
        await collection.update_one({"_id": key.key}, {"$inc": {"attempts": -1}})

    async def _count(self, key: str, now: datetime) -> dict[str, Any]:
        collection = ThrottleCounter.get_pymongo_collection()
        # A window that is over starts again (the TTL monitor may not have run yet).
        await collection.delete_one({"_id": key, "window_ends_at": {"$lte": now}})
        entry: dict[str, Any] | None = await collection.find_one_and_update(
            {"_id": key},
            {
                "$inc": {"attempts": 1},
                "$setOnInsert": {"window_ends_at": now + timedelta(seconds=self.window_seconds)},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert entry is not None  # upsert with ReturnDocument.AFTER always returns one
        return entry


@dataclass(frozen=True, slots=True)
class LoginKeys:
    client: ThrottleKey
    account_from_client: ThrottleKey
    account: ThrottleKey

    @property
    def in_order(self) -> tuple[ThrottleKey, ...]:
        return (self.client, self.account_from_client, self.account)


@dataclass(frozen=True, slots=True)
class LoginThrottler:
    max_failures: int
    window_seconds: int

    @property
    def _counter(self) -> AttemptCounter:
        return AttemptCounter(self.window_seconds)

    def keys(self, email: str, client: str) -> LoginKeys:
        return LoginKeys(
            client=ThrottleKey(f"login-client:{client}", self.max_failures * CLIENT_FAILURE_FACTOR),
            account_from_client=ThrottleKey(f"login-account:{email}|{client}", self.max_failures),
            account=ThrottleKey(
                f"login-account:{email}", self.max_failures * ACCOUNT_FAILURE_FACTOR
            ),
        )

    async def begin_attempt(self, keys: LoginKeys) -> None:
        await self._counter.count(keys.in_order, TooManyLoginAttempts)

    async def record_success(self, keys: LoginKeys) -> None:
        await self._counter.forget(keys.account_from_client)
        await self._counter.take_back(keys.client)
        await self._counter.take_back(keys.account)


@dataclass(frozen=True, slots=True)
class SignupThrottler:
    max_attempts: int
    window_seconds: int

    async def begin_attempt(self, client: str) -> None:
        key = ThrottleKey(f"signup-client:{client}", self.max_attempts)
        await AttemptCounter(self.window_seconds).count((key,), TooManySignups)
