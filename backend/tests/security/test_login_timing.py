"""Login for an unknown email costs what a wrong password for a real account costs.

Otherwise response time alone tells an attacker which emails have accounts.
"""

import statistics
import time
from typing import Any

import httpx
import pytest

from tests.conftest import sign_up

LOGIN = "/api/v1/auth/login"
ROUNDS = 12


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"login_max_failures": 1000}


async def _timed(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> float:
    started = time.perf_counter()
    await client.request(method, url, **kwargs)
    return time.perf_counter() - started


async def test_unknown_email_and_wrong_password_take_the_same_time(
    client: httpx.AsyncClient,
) -> None:
    account = await sign_up(client)
    unknown: list[float] = []
    wrong: list[float] = []
    baseline: list[float] = []
    for i in range(ROUNDS):  # interleaved, so machine load affects both alike
        form = {"username": f"nobody-{i}@example.com", "password": "wrong-password"}
        unknown.append(await _timed(client, "POST", LOGIN, data=form))
        form = {"username": account.email, "password": "wrong-password"}
        wrong.append(await _timed(client, "POST", LOGIN, data=form))
        baseline.append(await _timed(client, "GET", "/api/v1/users/me"))
    unknown_median, wrong_median = statistics.median(unknown), statistics.median(wrong)
    # Both paths pay for a password hash: far more than a request that does none...
    assert min(unknown_median, wrong_median) > 3 * statistics.median(baseline)
    # ...and the same one: the medians agree within a quarter.
    ratio = unknown_median / wrong_median
    assert 0.75 < ratio < 1.33, f"unknown {unknown_median:.4f}s vs wrong {wrong_median:.4f}s"
