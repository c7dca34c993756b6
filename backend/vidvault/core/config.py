"""Settings: one object, read once from the environment or `.env`."""

import math
import secrets
import warnings
from collections import Counter
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"
MIN_SECRET_LENGTH = 32
# Estimated from the key's own character frequencies: 32 x "a" has none, a
# hex key of 32 characters about 115 bits (never below 90), token_urlsafe(48) over 300.
MIN_SECRET_BITS = 80


# Environment variables that hold comma-separated lists, not JSON.
LIST_SETTINGS = ("cors_origins", "forwarded_allow_ips")


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
    # Bytes of videos one account may keep; 0 means no quota.
    storage_quota_bytes: int = Field(default=0, ge=0)
    gridfs_chunk_size: int = Field(default=1024 * 1024, ge=1024, le=15 * 1024 * 1024)
    # NoDecode: the variable is a comma-separated list, not JSON.
    cors_origins: Annotated[list[str], NoDecode] = [
        "http://127.0.0.1:5173",
        "http://localhost:5173",
    ]
    # Failed logins allowed per account in one window; a client address gets
    # CLIENT_FAILURE_FACTOR times as many, since several people can share it.
    # Failures are counted per account *and client address*, so a lockout from
    # one address does not stop the owner elsewhere; the account as a whole
    # takes ACCOUNT_FAILURE_FACTOR times as many (auth/throttle.py).
    login_max_failures: int = Field(default=10, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    # Sign-ups per client address in one window: each costs a password hash,
    # and a 409 says an email is registered, so the limit is tight.
    signup_max_attempts: int = Field(default=5, ge=1)
    signup_window_seconds: int = Field(default=3600, ge=1)
    # Anonymous requests to shared links per client address in one window;
    # a player seeking makes a few range requests a second at most.
    shared_max_requests: int = Field(default=1200, ge=1)
    shared_window_seconds: int = Field(default=60, ge=1)
    # Where the web app is served, for the links in shares' `url`; unset:
    # `url` is the path /s/{token}, for the web app to put under its own origin.
    public_web_url: str = ""
    # Password hashes at once in this process (64 MiB each), and how long a
    # hash may wait for a slot before the request gets 503 + Retry-After.
    password_hash_concurrency: int = Field(default=2, ge=1)
    password_hash_max_wait_seconds: float = Field(default=2.0, gt=0)
    # Unset: on in development, off in production.
    docs_enabled: bool = False
    db_timeout_ms: int = Field(default=3000, ge=100)
    # The sweeper removes GridFS data no video points at (left by a crashed
    # upload) once nothing was written to it for the grace period, which must
    # therefore outlast the longest pause inside an upload. It runs at
    # start-up and every interval.
    orphan_grace_seconds: int = Field(default=24 * 3600, ge=1)
    sweep_interval_seconds: float = Field(default=3600, gt=0)
    # Media processing (the worker). A job's lease is renewed every third of
    # its length; a worker killed with SIGKILL holds its job at most this long.
    worker_concurrency: int = Field(default=1, ge=1, le=64)
    job_lease_seconds: float = Field(default=30, ge=2)
    job_max_attempts: int = Field(default=3, ge=1)
    job_retry_base_seconds: float = Field(default=10, ge=0)  # doubled after each failure
    job_time_limit_seconds: float = Field(default=2 * 3600, gt=0)  # wall clock, per attempt
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    worker_nice: int = Field(default=10, ge=0, le=19)  # CPU priority below the API's
    max_video_duration_seconds: float = Field(default=6 * 3600, gt=0)
    # The worker answers GET /healthz on this port (0: no health endpoint).
    worker_health_port: int = Field(default=0, ge=0, le=65535)
    # A resumable upload untouched for this long expires (Upload-Expires): the
    # sweeper then removes it and its bytes. Each PATCH starts the time again.
    upload_expiry_seconds: int = Field(default=24 * 3600, ge=1)
    # Unset: JSON lines in production, readable text in development.
    log_format: LogFormat | None = None
    # HTTP limits per connection, enforced by the server (vidvault/server).
    http_max_head_bytes: int = Field(default=32 * 1024, ge=1024)
    http_head_timeout_seconds: float = Field(default=5.0, gt=0)
    http_body_min_bytes_per_second: int = Field(default=1024, ge=0)
    http_body_rate_window_seconds: float = Field(default=10.0, gt=0)
    http_send_timeout_seconds: float = Field(default=8.0, gt=0)
    # What the chunk batches of every reader (streams above all) may hold
    # together in one process; past it, reads wait their turn (storage/).
    chunk_read_memory_bytes: int = Field(default=16 * 1024 * 1024, ge=1024 * 1024)
    # Peers whose X-Forwarded-For/-Proto are honoured (addresses or networks,
    # comma-separated). Empty: none, the socket's peer is the client.
    forwarded_allow_ips: Annotated[list[str], NoDecode] = []
    # Prometheus metrics on their own port, never on the API's. Unset: not served.
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"

    @model_validator(mode="before")
    @classmethod
    def _split_lists(cls, data: object) -> object:
        for name in LIST_SETTINGS:
            if isinstance(data, dict) and isinstance(data.get(name), str):
                data[name] = [item.strip() for item in data[name].split(",") if item.strip()]
        return data

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _never_trust_everyone(cls, value: list[str]) -> list[str]:
        if "*" in value:
            raise ValueError(
                "FORWARDED_ALLOW_IPS must list the proxies' addresses or networks, never '*':"
                " with '*' every client chooses its own address for the throttles"
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _docs_only_in_development_by_default(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("docs_enabled") is None:
            environment = data.get("environment", Environment.DEVELOPMENT)
            data["docs_enabled"] = str(environment).lower() == Environment.DEVELOPMENT
        return data

    @model_validator(mode="after")
    def _require_real_secret(self) -> Self:
        weak = (
            self.secret_key == PLACEHOLDER_SECRET
            or len(self.secret_key) < MIN_SECRET_LENGTH
            or estimated_bits(self.secret_key) < MIN_SECRET_BITS
        )
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
                f"{MIN_SECRET_LENGTH} characters and about {MIN_SECRET_BITS} bits of entropy "
                "when ENVIRONMENT=production "
                '(for example: python3 -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        return self


def estimated_bits(secret: str) -> float:
    """Shannon entropy of its characters times its length: catches repeats, tiny alphabets."""
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    return per_char * len(secret)


@lru_cache
def get_settings() -> Settings:
    return Settings()
