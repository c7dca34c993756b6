"""Password hashing and signed tokens: the primitives, no HTTP in here."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import anyio.to_thread
import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from vidvault.core.work_slots import Urgency, WorkSlots

JWT_ALGORITHM = "HS256"

_password_hash = PasswordHash((Argon2Hasher(),))
# Verified against when the email is unknown, so that a login for a missing
# account costs the same argon2 work as a wrong password for a real one.
_DUMMY_HASH = _password_hash.hash("vidvault-timing-equaliser")


class PasswordHasher:
    """argon2id off the event loop, a few hashes at once (see WorkSlots).

    One per app, so per process: each hash holds 64 MiB while it runs.
    A login (verify) goes before waiting sign-ups and password changes (hash),
    so a flood of new accounts cannot keep existing users out.
    """

    def __init__(self, slots: int, max_wait_seconds: float) -> None:
        self._slots = WorkSlots(slots, max_wait_seconds)

    async def hash(self, password: str) -> str:
        async with self._slots.slot(Urgency.ORDINARY):
            return await anyio.to_thread.run_sync(_password_hash.hash, password)

    async def verify(self, password: str, password_hash: str | None) -> bool:
        target = password_hash if password_hash is not None else _DUMMY_HASH
        async with self._slots.slot(Urgency.URGENT):
            valid = await anyio.to_thread.run_sync(_password_hash.verify, password, target)
        return valid and password_hash is not None


class TokenType(StrEnum):
    ACCESS = "access"
    STREAM = "stream"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    subject: str
    token_type: TokenType
    version: int
    expires_at: datetime
    video_id: str | None = None


class InvalidToken(Exception):
    """The token is malformed, forged, expired or of the wrong type."""


def encode_token(claims: TokenClaims, secret: str) -> str:
    payload: dict[str, object] = {
        "sub": claims.subject,
        "typ": claims.token_type.value,
        "ver": claims.version,
        "iat": datetime.now(UTC),
        "exp": claims.expires_at,
    }
    if claims.video_id is not None:
        payload["vid"] = claims.video_id
    return jwt.encode(payload, secret, algorithm=JWT_ALGORITHM)


def decode_token(token: str, secret: str, expected_type: TokenType) -> TokenClaims:
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["sub", "typ", "ver", "iat", "exp"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    if payload.get("typ") != expected_type.value:
        raise InvalidToken("wrong token type")
    version, video_id = payload.get("ver"), payload.get("vid")
    if not isinstance(version, int) or not isinstance(payload["sub"], str):
        raise InvalidToken("malformed claims")
    if video_id is not None and not isinstance(video_id, str):
        raise InvalidToken("malformed claims")
    return TokenClaims(
        subject=payload["sub"],
        token_type=expected_type,
        version=version,
        expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        video_id=video_id,
    )


def expiry(ttl_seconds: int) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=ttl_seconds)
