import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from beanie import PydanticObjectId
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, EmailStr, Field

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path


def _compatibility_form(value: object) -> object:
    # Before the shape check, so a full-width at sign counts as the "@" it looks like.
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


def normalize_email(email: str) -> str:
    """One stored form per address: NFKC with case folding (Unicode's NFKC_Casefold).

    Full-width "alice@" (U+FF41...) and "ALICE@" are the same account as "alice@".
    """
    folded = unicodedata.normalize("NFKC", email.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


NormalizedEmail = Annotated[
    EmailStr,
    BeforeValidator(_compatibility_form),
    Field(max_length=MAX_EMAIL_LENGTH),
    AfterValidator(normalize_email),
]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)]


class SignupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: NormalizedEmail
    password: Password


class UserOut(BaseModel):
    id: PydanticObjectId
    email: str
    created_at: datetime


class AccessToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")
