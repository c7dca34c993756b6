"""Dependencies that hand routes an authenticated user, or refuse with 401."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from vidvault.auth import service
from vidvault.auth.exceptions import NotAuthenticated
from vidvault.auth.models import User
from vidvault.auth.throttle import LoginThrottler
from vidvault.core.dependencies import SettingsDep
from vidvault.core.security import InvalidToken, TokenType, decode_token

# auto_error=False: a missing token is our own NotAuthenticated, with our message.
bearer_token = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)
BearerToken = Annotated[str | None, Depends(bearer_token)]


async def user_from_access_token(token: str | None, settings: SettingsDep) -> User | None:
    if not token:
        return None
    try:
        claims = decode_token(token, settings.secret_key, TokenType.ACCESS)
    except InvalidToken:
        return None
    return await service.user_for_claims(claims)


async def current_user(token: BearerToken, settings: SettingsDep) -> User:
    user = await user_from_access_token(token, settings)
    if user is None:
        raise NotAuthenticated
    return user


def login_throttler(settings: SettingsDep) -> LoginThrottler:
    return LoginThrottler(settings.login_max_failures, settings.login_window_seconds)


def client_address(request: Request) -> str:
    # Behind a proxy uvicorn's --proxy-headers has already put the real client here.
    return request.client.host if request.client else "unknown"


CurrentUser = Annotated[User, Depends(current_user)]
Throttler = Annotated[LoginThrottler, Depends(login_throttler)]
ClientAddress = Annotated[str, Depends(client_address)]
