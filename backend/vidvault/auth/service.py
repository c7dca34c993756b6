"""Accounts and tokens: sign-up, credential checks, token issue and revocation."""

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from vidvault.auth.exceptions import EmailTaken, InvalidCredentials
from vidvault.auth.models import Caller, User
from vidvault.auth.schemas import AccessToken
from vidvault.core.config import Settings
from vidvault.core.security import (
    PasswordHasher,
    TokenClaims,
    TokenType,
    encode_token,
    expiry,
)


async def create_user(email: str, password: str, hasher: PasswordHasher) -> User:
    """`email` is normalized (schemas.NormalizedEmail)."""
    # Checked before hashing, so a taken address costs no hash; the unique
    # index still decides when two sign-ups race.
    if await User.find_one(User.email == email) is not None:
        raise EmailTaken
    user = User(email=email, password_hash=await hasher.hash(password))
    try:
        await user.insert()
    except DuplicateKeyError as error:
        raise EmailTaken from error
    return user


async def authenticate(email: str, password: str, hasher: PasswordHasher) -> User:
    """`email` is normalized (schemas.NormalizedEmail)."""
    user = await User.find_one(User.email == email)
    # Verify even when the account is missing: both failures cost the same time.
    if not await hasher.verify(password, user.password_hash if user else None):
        raise InvalidCredentials
    assert user is not None  # verify is False without a hash
    return user


def issue_access_token(user: User, settings: Settings) -> AccessToken:
    ttl = settings.access_token_ttl_seconds
    claims = TokenClaims(
        subject=str(user.id),
        token_type=TokenType.ACCESS,
        version=user.token_version,
        expires_at=expiry(ttl),
    )
    return AccessToken(access_token=encode_token(claims, settings.secret_key), expires_in=ttl)


def issue_stream_token(caller: Caller, video_id: PydanticObjectId, settings: Settings) -> str:
    claims = TokenClaims(
        subject=str(caller.id),
        token_type=TokenType.STREAM,
        version=caller.token_version,
        expires_at=expiry(settings.stream_token_ttl_seconds),
        video_id=str(video_id),
    )
    return encode_token(claims, settings.secret_key)


async def user_for_claims(claims: TokenClaims) -> User | None:
    """The user a token speaks for, or None when the user is gone or the token revoked."""
    if not PydanticObjectId.is_valid(claims.subject):
        return None
    user = await User.get(PydanticObjectId(claims.subject))
    if user is None or user.token_version != claims.version or user.deleted_at is not None:
        return None
    return user


async def revoke_all_tokens(user: User) -> None:
    await User.find_one(User.id == user.id).update({"$inc": {"token_version": 1}})
