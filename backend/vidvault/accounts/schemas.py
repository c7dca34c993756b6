from pydantic import BaseModel, ConfigDict, Field

from vidvault.auth.schemas import MAX_PASSWORD_LENGTH, Password, UserOut

# The current password is checked, not validated: any length the rules ever allowed.
CurrentPassword = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class AccountOut(UserOut):
    storage_used_bytes: int = Field(description="Bytes of the caller's stored videos")
    storage_quota_bytes: int | None = Field(
        description="Bytes the caller may store in all; null when there is no quota"
    )


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = CurrentPassword
    new_password: Password


class AccountDeletion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = CurrentPassword
