"""The fixtures every conformance module shares: a server per engine, a database per test.

A module takes them with `server_url, db = conformance_fixtures("prefix")`;
pytest finds fixtures by the module's attribute names.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.embedded_db import conformance_engines, scratch_database, served

type Doc = dict[str, Any]


def conformance_fixtures(prefix: str) -> tuple[Any, Any]:
    """`server_url`: one server per engine for the module; `db`: a scratch `prefix_*` database."""

    @pytest.fixture(scope="module", params=conformance_engines())
    def server_url(request: pytest.FixtureRequest) -> Iterator[str]:
        with served(request.param) as url:
            yield url

    @pytest.fixture
    async def db(server_url: str) -> AsyncIterator[AsyncDatabase[Doc]]:
        async with scratch_database(server_url, prefix) as database:
            yield database

    return server_url, db
