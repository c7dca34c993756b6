"""Finding 5: X-Forwarded-For could be spoofed to dodge, or turn, the throttles.

Against a live API process: proxy headers count only from FORWARDED_ALLOW_IPS,
and then only the right-most address that is not a trusted proxy.
"""

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from tests.faults.processes import ApiProcess, start_api, unique_db_name
from vidvault.auth.throttle import CLIENT_FAILURE_FACTOR

MAX_FAILURES = 2
CLIENT_LIMIT = MAX_FAILURES * CLIENT_FAILURE_FACTOR

type ApiFactory = Callable[..., ApiProcess]


@pytest.fixture
async def start(mongodb_url: str) -> AsyncIterator[ApiFactory]:
    started: list[ApiProcess] = []

    def factory(forwarded_allow_ips: str = "") -> ApiProcess:
        api = start_api(
            mongodb_url,
            unique_db_name(),
            login_max_failures=MAX_FAILURES,
            forwarded_allow_ips=forwarded_allow_ips,
        )
        started.append(api)
        return api

    yield factory
    for api in started:
        api.stop()


async def _login(http: httpx.AsyncClient, forwarded_for: str, account: int) -> int:
    response = await http.post(
        "/api/v1/auth/login",
        data={"username": f"nobody{account}@example.com", "password": "guess-guess"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


async def _throttle(http: httpx.AsyncClient, forwarded_for: str) -> None:
    codes = [await _login(http, forwarded_for, i) for i in range(CLIENT_LIMIT + 1)]
    assert codes == [401] * CLIENT_LIMIT + [429]


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing(
    start: ApiFactory,
) -> None:
    api = start()  # no proxy trusted: the default
    async with httpx.AsyncClient(base_url=api.url) as http:
        await _throttle(http, "203.0.113.50")
        # The audit's bypass: a new first entry used to be a new client.
        assert await _login(http, "203.0.113.51", 0) == 429
        assert await _login(http, "203.0.113.51, 198.51.100.7", 0) == 429


async def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(
    start: ApiFactory,
) -> None:
    # The test itself plays the proxy, which appends the address it saw.
    api = start(forwarded_allow_ips="127.0.0.1,10.0.0.0/8")
    async with httpx.AsyncClient(base_url=api.url) as http:
        await _throttle(http, "203.0.113.50, 198.51.100.7")
        # What the client wrote itself (on the left) does not make it someone else...
        assert await _login(http, "203.0.113.99, 198.51.100.7", 0) == 429
        # ...nor does a trusted proxy hop behind it (10.1.2.3)...
        assert await _login(http, "198.51.100.7, 10.1.2.3", 0) == 429
        # ...while another client behind the same proxy is.
        assert await _login(http, "203.0.113.50, 198.51.100.8", 0) == 401


def test_trusting_every_peer_is_refused(tmp_path: object) -> None:
    from pydantic import ValidationError

    from vidvault.core.config import Settings

    with pytest.raises(ValidationError, match="never '\\*'"):
        Settings(_env_file=None, forwarded_allow_ips="*")
