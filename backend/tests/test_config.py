"""Settings: environment parsing and the production secret rule."""

import pytest
from pydantic import ValidationError

from vidvault.core.config import Environment, Settings


def test_cors_origins_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "http://a.example, http://b.example")
    settings = Settings(_env_file=None, secret_key="s" * 48)
    assert settings.cors_origins == ["http://a.example", "http://b.example"]


@pytest.mark.parametrize("secret", ["change-me", "short-secret"])
def test_production_refuses_a_placeholder_or_short_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        Settings(_env_file=None, environment=Environment.PRODUCTION, secret_key=secret)


def test_production_accepts_a_real_secret() -> None:
    settings = Settings(_env_file=None, environment="production", secret_key="s" * 48)
    assert settings.environment is Environment.PRODUCTION


def test_development_replaces_a_missing_secret_with_a_random_one() -> None:
    with pytest.warns(UserWarning, match="random per-process key"):
        first = Settings(_env_file=None)
    with pytest.warns(UserWarning, match="random per-process key"):
        second = Settings(_env_file=None)
    assert len(first.secret_key) >= 32
    assert first.secret_key != second.secret_key
