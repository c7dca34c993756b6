"""Settings: one object, read once from the environment or `.env`."""

import secrets
import warnings
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"
MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    JSON = "json"
    TEXT = "text"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    mongodb_url: str = "mongodb://127.0.0.1:27017/?directConnection=true"
    mongodb_db: str = "vidvault"
    secret_key: str = PLACEHOLDER_SECRET
    access_token_ttl_seconds: int = Field(default=3600, ge=60)
    stream_token_ttl_seconds: int = Field(default=6 * 3600, ge=60)
    max_upload_bytes: int = Field(default=2 * 1024**3, ge=1)
    gridfs_chunk_size: int = Field(default=1024 * 1024, ge=1024, le=15 * 1024 * 1024)
    # NoDecode: the variable is a comma-separated list, not JSON.
    cors_origins: Annotated[list[str], NoDecode] = [
        "http://127.0.0.1:5173",
        "http://localhost:5173",
    ]
    # Failed logins allowed per account in one window; a client address gets
    # CLIENT_FAILURE_FACTOR times as many, since several people can share it.
    login_max_failures: int = Field(default=10, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    docs_enabled: bool = True
    db_timeout_ms: int = Field(default=3000, ge=100)
    # The sweeper removes GridFS data no video points at (left by a crashed
    # upload) once nothing was written to it for the grace period, which must
    # therefore outlast the longest pause inside an upload. It runs at
    # start-up and every interval.
    orphan_grace_seconds: int = Field(default=24 * 3600, ge=1)
    sweep_interval_seconds: float = Field(default=3600, gt=0)
    # Unset: JSON lines in production, readable text in development.
    log_format: LogFormat | None = None

    @model_validator(mode="before")
    @classmethod
    def _split_cors_origins(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("cors_origins"), str):
            raw = data["cors_origins"]
            data["cors_origins"] = [o.strip() for o in raw.split(",") if o.strip()]
        return data

    @model_validator(mode="after")
    def _require_real_secret(self) -> Self:
        weak = self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < MIN_SECRET_LENGTH
        if weak and self.environment is Environment.DEVELOPMENT:
            # Development still signs with a strong key: one per process, so
            # tokens do not survive a restart (`make run` keeps one in .data/).
            warnings.warn(
                "SECRET_KEY is unset or weak: using a random per-process key (development only)",
                stacklevel=2,
            )
            self.secret_key = secrets.token_urlsafe(48)
        elif weak:
            raise ValueError(
                "SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_LENGTH} characters when ENVIRONMENT=production "
                '(for example: python3 -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
