from typing import Annotated

from fastapi import Depends

from vidvault.accounts.quota import quota_of
from vidvault.auth.dependencies import CurrentUser
from vidvault.core.dependencies import SettingsDep
from vidvault.uploads.gate import UploadGate


async def upload_gate(settings: SettingsDep, user: CurrentUser) -> UploadGate:
    """The gate for one upload by this user: the upload limit and their quota."""
    assert user.id is not None
    quota = await quota_of(user.id, settings.storage_quota_bytes)
    return UploadGate(max_bytes=settings.max_upload_bytes, quota=quota)


UploadGateDep = Annotated[UploadGate, Depends(upload_gate)]
