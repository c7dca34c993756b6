"""The account a DELETE /users/me speaks for, even when its deletion has begun or is done."""

from typing import Annotated

from beanie import PydanticObjectId
from fastapi import Depends

from vidvault.auth.dependencies import BearerToken
from vidvault.auth.exceptions import NotAuthenticated
from vidvault.auth.models import User
from vidvault.core.dependencies import SettingsDep
from vidvault.core.security import InvalidToken, TokenType, decode_token


async def account_to_delete(token: BearerToken, settings: SettingsDep) -> User | None:
    """The account, or None when it is already gone.

    Deletion revokes every token, yet a retry of the same DELETE (say after a
    lost response) must still answer 204: a genuine token of an account that
    is marked or gone is enough for that, and reveals nothing.
    """
    try:
        claims = decode_token(token or "", settings.secret_key, TokenType.ACCESS)
    except InvalidToken as error:
        raise NotAuthenticated from error
    if not PydanticObjectId.is_valid(claims.subject):
        raise NotAuthenticated
    user = await User.get(PydanticObjectId(claims.subject))
    if user is not None and user.deleted_at is None and user.token_version != claims.version:
        raise NotAuthenticated
    return user


AccountToDelete = Annotated[User | None, Depends(account_to_delete)]
