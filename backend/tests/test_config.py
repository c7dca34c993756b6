"""Settings: environment parsing and the production secret rule."""

import secrets

import pytest
from pydantic import ValidationError

from vidvault.core.config import MIN_SECRET_BITS, Environment, Settings, estimated_bits


def test_cors_origins_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "http://a.example, http://b.example")
    settings = Settings(_env_file=None, secret_key=secrets.token_urlsafe(48))
    assert settings.cors_origins == ["http://a.example", "http://b.example"]


@pytest.mark.parametrize(
    "secret",
    [
        "change-me",
        "short-secret",
        # Long enough, but guessable: the audit's 32 x "a", and a two-letter alphabet.
        "a" * 32,
        "ab" * 24,
        "0123" * 8,
    ],
)
def test_production_refuses_a_placeholder_short_or_low_entropy_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        Settings(_env_file=None, environment=Environment.PRODUCTION, secret_key=secret)


@pytest.mark.parametrize(
    "secret", [secrets.token_urlsafe(48), secrets.token_hex(16), secrets.token_urlsafe(24)]
)
def test_production_accepts_a_random_secret(secret: str) -> None:
    settings = Settings(_env_file=None, environment="production", secret_key=secret)
    assert settings.environment is Environment.PRODUCTION


def test_every_hex_key_of_32_characters_counts_as_random() -> None:
    # The weakest random key we document; the entropy floor must never refuse one.
    assert min(estimated_bits(secrets.token_hex(16)) for _ in range(2000)) >= MIN_SECRET_BITS


def test_docs_are_off_in_production_unless_asked_for() -> None:
    key = secrets.token_urlsafe(48)
    assert not Settings(_env_file=None, environment="production", secret_key=key).docs_enabled
    asked = Settings(_env_file=None, environment="production", secret_key=key, docs_enabled=True)
    assert asked.docs_enabled
    assert Settings(_env_file=None, secret_key=key).docs_enabled


def test_docs_in_production_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    assert not Settings(_env_file=None).docs_enabled
    monkeypatch.setenv("DOCS_ENABLED", "true")
    assert Settings(_env_file=None).docs_enabled


def test_development_replaces_a_missing_secret_with_a_random_one() -> None:
    with pytest.warns(UserWarning, match="random per-process key"):
        first = Settings(_env_file=None)
    with pytest.warns(UserWarning, match="random per-process key"):
        second = Settings(_env_file=None)
    assert len(first.secret_key) >= 32
    assert first.secret_key != second.secret_key
