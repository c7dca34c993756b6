from fastapi import APIRouter, Response, status

from vidvault.auth import service
from vidvault.auth.dependencies import (
    ClientKey,
    CurrentUser,
    Hasher,
    LoginEmail,
    LoginForm,
    SignupThrottle,
    Throttler,
    TokenVersionsDep,
)
from vidvault.auth.exceptions import (
    EmailTaken,
    InvalidCredentials,
    NotAuthenticated,
    TooManyLoginAttempts,
    TooManySignups,
)
from vidvault.auth.models import User
from vidvault.auth.schemas import AccessToken, SignupRequest, UserOut
from vidvault.core.dependencies import SettingsDep
from vidvault.core.exceptions import RequestTooLarge, responses

auth_router = APIRouter(prefix="/auth", tags=["auth"])


def _user_out(user: User) -> UserOut:
    return UserOut.model_validate(user, from_attributes=True)


@auth_router.post(
    "/signup",
    operation_id="auth-signup",
    status_code=status.HTTP_201_CREATED,
    responses=responses(EmailTaken, TooManySignups, RequestTooLarge),
    summary="Create an account",
)
async def signup(
    body: SignupRequest, throttler: SignupThrottle, client: ClientKey, hasher: Hasher
) -> UserOut:
    await throttler.begin_attempt(client)
    return _user_out(await service.create_user(body.email, body.password, hasher))


@auth_router.post(
    "/login",
    operation_id="auth-login",
    responses=responses(InvalidCredentials, TooManyLoginAttempts, RequestTooLarge),
    summary="Log in (OAuth2 password flow: form fields username and password)",
)
async def login(
    form: LoginForm,
    email: LoginEmail,
    settings: SettingsDep,
    throttler: Throttler,
    client: ClientKey,
    hasher: Hasher,
) -> AccessToken:
    keys = throttler.keys(email, client)
    await throttler.begin_attempt(keys)
    user = await service.authenticate(email, form.password, hasher)
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
async def logout(user: CurrentUser, versions: TokenVersionsDep) -> None:
    await service.revoke_all_tokens(user)
    assert user.id is not None
    versions.forget(user.id)  # here at once; other replicas within TokenVersions' max age
