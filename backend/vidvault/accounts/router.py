from fastapi import APIRouter, Response, status

from vidvault.accounts import service
from vidvault.accounts.dependencies import AccountToDelete
from vidvault.accounts.exceptions import WrongPassword
from vidvault.accounts.schemas import AccountDeletion, AccountOut, PasswordChange
from vidvault.auth.dependencies import CurrentUser, Hasher, TokenVersionsDep
from vidvault.auth.exceptions import NotAuthenticated
from vidvault.auth.schemas import AccessToken
from vidvault.core.dependencies import DatabaseDep, SettingsDep
from vidvault.core.exceptions import RequestTooLarge, responses

users_router = APIRouter(prefix="/users", tags=["users"])


@users_router.get(
    "/me",
    operation_id="users-me",
    responses=responses(NotAuthenticated),
    summary="The caller's account, with the storage it uses and its quota",
)
async def me(user: CurrentUser, settings: SettingsDep) -> AccountOut:
    return await service.account_view(user, settings)


@users_router.post(
    "/me/password",
    operation_id="users-change-password",
    responses=responses(NotAuthenticated, WrongPassword, RequestTooLarge),
    summary="Change the password; every token is revoked and a new one returned",
)
async def change_password(
    body: PasswordChange,
    user: CurrentUser,
    hasher: Hasher,
    versions: TokenVersionsDep,
    settings: SettingsDep,
) -> AccessToken:
    token = await service.change_password(
        user, body.current_password, body.new_password, hasher, settings
    )
    assert user.id is not None
    versions.forget(user.id)  # here at once; other replicas within TokenVersions' max age
    return token


@users_router.delete(
    "/me",
    operation_id="users-delete",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=responses(NotAuthenticated, WrongPassword, RequestTooLarge),
    summary="Delete the account with every video, share and stored byte (idempotent)",
)
async def delete_me(
    body: AccountDeletion,
    account: AccountToDelete,
    hasher: Hasher,
    versions: TokenVersionsDep,
    database: DatabaseDep,
) -> None:
    if account is None:
        return
    assert account.id is not None
    if account.deleted_at is not None:  # begun before: finish it, no password needed again
        await service.purge_account(account.id, database)
        return
    await service.delete_account(account, body.password, hasher, database)
    versions.forget(account.id)
