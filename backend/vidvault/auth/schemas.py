from datetime import datetime
from typing import Annotated, Literal

from beanie import PydanticObjectId
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


def normalize_email(email: str) -> str:
    return email.strip().lower()


NormalizedEmail = Annotated[EmailStr, AfterValidator(normalize_email)]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)]


class SignupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: NormalizedEmail = Field(max_length=254)
    password: Password


class UserOut(BaseModel):
    id: PydanticObjectId
    email: str
    created_at: datetime


class AccessToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")
