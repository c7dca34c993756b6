"""Dependencies that hand routes an authenticated user, or refuse with 401."""

from typing import Annotated

from beanie import PydanticObjectId
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import TypeAdapter, ValidationError

from vidvault.auth import service
from vidvault.auth.clients import throttle_client_key
from vidvault.auth.exceptions import NotAuthenticated
from vidvault.auth.models import Caller, User
from vidvault.auth.schemas import NormalizedEmail
from vidvault.auth.throttle import LoginThrottler, SignupThrottler
from vidvault.auth.token_versions import TokenVersions
from vidvault.core.config import Settings
from vidvault.core.dependencies import SettingsDep
from vidvault.core.security import (
    InvalidToken,
    PasswordHasher,
    TokenClaims,
    TokenType,
    decode_token,
)

# auto_error=False: a missing token is our own NotAuthenticated, with our message.
bearer_token = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)
BearerToken = Annotated[str | None, Depends(bearer_token)]


def access_token_claims(token: str | None, settings: Settings) -> TokenClaims | None:
    """A validly signed, unexpired access token's claims (revocation is checked apart)."""
    if not token:
        return None
    try:
        return decode_token(token, settings.secret_key, TokenType.ACCESS)
    except InvalidToken:
        return None


def stream_token_claims(token: str, video_id: str, settings: Settings) -> TokenClaims:
    """A stream token's claims, if validly signed, unexpired and for this video; else 401."""
    try:
        claims = decode_token(token, settings.secret_key, TokenType.STREAM)
    except InvalidToken as error:
        raise NotAuthenticated("The stream token is invalid or has expired") from error
    if claims.video_id != video_id:
        raise NotAuthenticated("The stream token is for another video")
    return claims


async def user_from_access_token(token: str | None, settings: SettingsDep) -> User | None:
    claims = access_token_claims(token, settings)
    return None if claims is None else await service.user_for_claims(claims)


async def current_user(token: BearerToken, settings: SettingsDep) -> User:
    user = await user_from_access_token(token, settings)
    if user is None:
        raise NotAuthenticated
    return user


async def token_versions(request: Request) -> TokenVersions:
    versions: TokenVersions = request.app.state.token_versions
    return versions


async def login_throttler(settings: SettingsDep) -> LoginThrottler:
    return LoginThrottler(settings.login_max_failures, settings.login_window_seconds)


async def signup_throttler(settings: SettingsDep) -> SignupThrottler:
    return SignupThrottler(settings.signup_max_attempts, settings.signup_window_seconds)


async def client_key(request: Request) -> str:
    # Behind a trusted proxy the server has already put the real client here.
    return throttle_client_key(request.client.host if request.client else None)


async def password_hasher(request: Request) -> PasswordHasher:
    hasher: PasswordHasher = request.app.state.password_hasher
    return hasher


LoginForm = Annotated[OAuth2PasswordRequestForm, Depends()]
_email = TypeAdapter(NormalizedEmail)


def login_email(form: LoginForm) -> str:
    """The form's username as a normalized email, checked before any counter is written."""
    try:
        return _email.validate_python(form.username)
    except ValidationError as error:
        errors = error.errors(include_url=False, include_context=False)
        raise RequestValidationError(
            [{**e, "loc": ("body", "username")} for e in errors]
        ) from error


CurrentUser = Annotated[User, Depends(current_user)]
Throttler = Annotated[LoginThrottler, Depends(login_throttler)]
SignupThrottle = Annotated[SignupThrottler, Depends(signup_throttler)]
ClientKey = Annotated[str, Depends(client_key)]
Hasher = Annotated[PasswordHasher, Depends(password_hasher)]
LoginEmail = Annotated[str, Depends(login_email)]
TokenVersionsDep = Annotated[TokenVersions, Depends(token_versions)]


async def current_caller(
    token: BearerToken, settings: SettingsDep, versions: TokenVersionsDep
) -> Caller:
    """The caller, for routes that need nothing else of the user; else 401.

    Reading the whole user was a database round trip before any other work:
    before a resumable upload's every PATCH, before every page of the library
    and every search (under 16 streams, that wait was most of a search's
    time). The token's version comes from TokenVersions instead, as on the
    stream path: a revocation holds on every replica within its MAX_AGE_SECONDS.
    """
    claims = access_token_claims(token, settings)
    if claims is None or not await versions.holds(claims):
        raise NotAuthenticated
    return Caller(PydanticObjectId(claims.subject), claims.version)


CurrentCaller = Annotated[Caller, Depends(current_caller)]


async def current_user_id(caller: CurrentCaller) -> PydanticObjectId:
    return caller.id


CurrentUserId = Annotated[PydanticObjectId, Depends(current_user_id)]
