from dataclasses import dataclass
from datetime import UTC, datetime

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel


def utc_now() -> datetime:
    # MongoDB keeps milliseconds: truncate so stored and in-memory values agree.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class User(Document):
    email: str  # normalized (schemas.normalize_email), so the unique index sees one form
    password_hash: str
    # Part of every token; logout increments it, which revokes all tokens at once.
    token_version: int = 0
    created_at: datetime = Field(default_factory=utc_now)
    # Set when the account's deletion begins; the purger finishes what is left.
    deleted_at: datetime | None = None

    class Settings:
        name = "users"
        indexes = [IndexModel([("email", ASCENDING)], unique=True, name="email_unique")]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent a request with a valid, unrevoked access token: all most routes need.

    Routes that read only the caller's own data take this instead of the User,
    which would be a database read per request (TokenVersions answers from memory).
    """

    id: PydanticObjectId
    token_version: int

    @classmethod
    def of(cls, user: User) -> "Caller":
        assert user.id is not None
        return cls(user.id, user.token_version)


class ThrottleCounter(Document):
    """Attempts counted for one throttle key (a client address, an account, ...).

    Kept in MongoDB so the limit holds across every API replica; the TTL
    index lets the database forget a window once it is over.
    """

    id: str  # type: ignore[assignment]  # the throttle key is the document id
    attempts: int = 0
    window_ends_at: datetime

    class Settings:
        name = "throttle_counters"
        indexes = [IndexModel([("window_ends_at", ASCENDING)], expireAfterSeconds=0)]
