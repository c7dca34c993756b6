"""The committed OpenAPI document is the contract: it must match the app exactly."""

import json
import re
from pathlib import Path

from fastapi.routing import APIRoute

from scripts.export_openapi import DEFAULT_PATH, openapi_document
from tests.conftest import TEST_SECRET
from vidvault.core.config import Settings
from vidvault.main import create_app


def test_the_committed_openapi_document_matches_the_app() -> None:
    committed = json.loads(Path(DEFAULT_PATH).read_text(encoding="utf-8"))
    assert committed == openapi_document(), "openapi/openapi.json is stale: run `make openapi`"


def test_every_operation_has_a_stable_explicit_id_and_a_tag() -> None:
    document = openapi_document()
    operations = [op for path in document["paths"].values() for op in path.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    for operation in operations:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", operation["operationId"])
        assert operation["tags"]


def test_every_authenticated_operation_declares_401() -> None:
    document = openapi_document()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path.startswith("/api/v1/videos") or path in {
                "/api/v1/users/me",
                "/api/v1/auth/logout",
            }:
                assert "401" in operation["responses"], (method, path)


def test_routes_without_an_operation_id_are_refused() -> None:
    app = create_app(Settings(_env_file=None, secret_key=TEST_SECRET))
    assert all(route.operation_id for route in app.routes if isinstance(route, APIRoute))
