"""Accounts and tokens: sign-up, login, the caller, logout, forged and expired tokens."""

from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest

from tests.conftest import PASSWORD, TEST_SECRET, Account, log_in, sign_like, sign_up, token_claims
from vidvault.core.security import TokenType

SIGNUP = "/api/v1/auth/signup"
LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_signup_creates_an_account_with_a_normalized_email(client: httpx.AsyncClient) -> None:
    response = await client.post(SIGNUP, json={"email": "  Ann@Example.COM ", "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ann@example.com"
    assert set(body) == {"id", "email", "created_at"}  # never the password hash


async def test_signup_refuses_a_taken_email_whatever_its_case(client: httpx.AsyncClient) -> None:
    await sign_up(client, "ann@example.com")
    response = await client.post(SIGNUP, json={"email": "ANN@example.com", "password": PASSWORD})
    assert response.status_code == 409
    assert response.json() == {"detail": "An account with this email already exists"}


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": PASSWORD},
        {"email": "ann@example.com", "password": "short"},
        {"email": "ann@example.com", "password": "x" * 129},
        {"email": "ann@example.com"},
        {"email": "a" * 300 + "@example.com", "password": PASSWORD},
        {"email": "ann@example.com", "password": PASSWORD, "admin": True},
    ],
)
async def test_signup_rejects_invalid_input(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await client.post(SIGNUP, json=body)
    assert response.status_code == 422
    assert "detail" in response.json()


async def test_password_limits_are_8_to_128_characters(client: httpx.AsyncClient) -> None:
    for index, password in enumerate(["x" * 8, "y" * 128]):
        body = {"email": f"edge{index}@example.com", "password": password}
        assert (await client.post(SIGNUP, json=body)).status_code == 201
        assert (await log_in(client, body["email"], password)).token


async def test_login_returns_a_bearer_access_token(client: httpx.AsyncClient) -> None:
    await sign_up(client, "ann@example.com")
    response = await client.post(LOGIN, data={"username": "Ann@Example.com", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    claims = jwt.decode(body["access_token"], TEST_SECRET, algorithms=["HS256"])
    assert claims["typ"] == "access"
    assert {"sub", "exp", "iat", "ver"} <= set(claims)


async def test_unknown_email_and_wrong_password_fail_identically(client: httpx.AsyncClient) -> None:
    await sign_up(client, "ann@example.com")
    wrong_password = await client.post(
        LOGIN, data={"username": "ann@example.com", "password": "nope-nope"}
    )
    unknown_email = await client.post(
        LOGIN, data={"username": "who@example.com", "password": "nope-nope"}
    )
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert (
        wrong_password.json() == unknown_email.json() == {"detail": "Incorrect email or password"}
    )
    assert wrong_password.headers["www-authenticate"] == "Bearer"


async def test_login_without_form_fields_is_422(client: httpx.AsyncClient) -> None:
    assert (await client.post(LOGIN, data={"username": "ann@example.com"})).status_code == 422


async def test_me_returns_the_caller(client: httpx.AsyncClient, alice: Account) -> None:
    response = await client.get(ME, headers=alice.headers)
    assert response.status_code == 200
    assert response.json()["email"] == "alice@example.com"


@pytest.mark.parametrize(
    "headers",
    [{}, bearer("not-a-jwt"), {"Authorization": "Basic YWxpY2U6cHc="}, bearer("")],
)
async def test_me_without_a_valid_token_is_401(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_logout_revokes_every_token_of_the_user(
    client: httpx.AsyncClient, alice: Account
) -> None:
    second_session = await log_in(client, alice.email)
    assert (await client.post(LOGOUT, headers=alice.headers)).status_code == 204
    assert (await client.get(ME, headers=alice.headers)).status_code == 401
    assert (await client.get(ME, headers=second_session.headers)).status_code == 401
    fresh = await log_in(client, alice.email)
    assert (await client.get(ME, headers=fresh.headers)).status_code == 200


async def test_logout_requires_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.post(LOGOUT)).status_code == 401


async def test_an_expired_access_token_is_refused(
    client: httpx.AsyncClient, alice: Account
) -> None:
    token = sign_like(alice.token, TokenType.ACCESS, timedelta(seconds=-5))
    assert (await client.get(ME, headers=bearer(token))).status_code == 401


async def test_a_token_signed_with_another_key_is_refused(
    client: httpx.AsyncClient, alice: Account
) -> None:
    forged = jwt.encode(token_claims(alice.token), "another-secret-" + "x" * 40, algorithm="HS256")
    assert (await client.get(ME, headers=bearer(forged))).status_code == 401


async def test_an_unsigned_alg_none_token_is_refused(
    client: httpx.AsyncClient, alice: Account
) -> None:
    unsigned = jwt.encode(token_claims(alice.token), None, algorithm="none")
    assert (await client.get(ME, headers=bearer(unsigned))).status_code == 401


async def test_a_stream_token_is_not_an_access_token(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any]
) -> None:
    stream_token = alice_video["stream_url"].split("token=")[1]
    assert (await client.get(ME, headers=bearer(stream_token))).status_code == 401
    assert (await client.get("/api/v1/videos", headers=bearer(stream_token))).status_code == 401
