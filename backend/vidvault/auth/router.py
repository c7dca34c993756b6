from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from vidvault.auth import service
from vidvault.auth.dependencies import ClientAddress, CurrentUser, Throttler
from vidvault.auth.exceptions import (
    EmailTaken,
    InvalidCredentials,
    NotAuthenticated,
    TooManyLoginAttempts,
)
from vidvault.auth.models import User
from vidvault.auth.schemas import AccessToken, SignupRequest, UserOut, normalize_email
from vidvault.core.dependencies import SettingsDep
from vidvault.core.exceptions import RequestTooLarge, responses

auth_router = APIRouter(prefix="/auth", tags=["auth"])
users_router = APIRouter(prefix="/users", tags=["users"])

LoginForm = Annotated[OAuth2PasswordRequestForm, Depends()]


def _user_out(user: User) -> UserOut:
    return UserOut.model_validate(user, from_attributes=True)


@auth_router.post(
    "/signup",
    operation_id="auth-signup",
    status_code=status.HTTP_201_CREATED,
    responses=responses(EmailTaken, RequestTooLarge),
    summary="Create an account",
)
async def signup(body: SignupRequest) -> UserOut:
    return _user_out(await service.create_user(body.email, body.password))


@auth_router.post(
    "/login",
    operation_id="auth-login",
    responses=responses(InvalidCredentials, TooManyLoginAttempts, RequestTooLarge),
    summary="Log in (OAuth2 password flow: form fields username and password)",
)
async def login(
    form: LoginForm, settings: SettingsDep, throttler: Throttler, client: ClientAddress
) -> AccessToken:
    keys = throttler.keys(normalize_email(form.username), client)
    await throttler.begin_attempt(keys)
    user = await service.authenticate(form.username, form.password)
    await throttler.record_success(keys)
    return service.issue_access_token(user, settings)


@auth_router.post(
    "/logout",
    operation_id="auth-logout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=responses(NotAuthenticated),
    summary="Revoke every token of the caller",
)
async def logout(user: CurrentUser) -> None:
    await service.revoke_all_tokens(user)


@users_router.get(
    "/me",
    operation_id="users-me",
    responses=responses(NotAuthenticated),
    summary="The caller's account",
)
async def me(user: CurrentUser) -> UserOut:
    return _user_out(user)
