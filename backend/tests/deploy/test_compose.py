"""docker-compose.yml: valid against the Compose specification, and wired as documented."""

from pathlib import Path
from typing import Any

import pytest

from tests.deploy.support import COMPOSE_FILE, load_yaml, run, tool


def check_compose_schema(path: Path) -> tuple[int, str]:
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path))
    return result.returncode, result.stdout + result.stderr


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = load_yaml(COMPOSE_FILE.read_text())
    return document


def test_compose_file_matches_the_compose_specification() -> None:
    code, output = check_compose_schema(COMPOSE_FILE)
    assert code == 0, output


def test_schema_check_does_fail_on_an_invalid_compose_file(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        "services:\n  api:\n    image: x\n    depends_on:\n      db:\n        condition: sometime\n"
    )
    code, output = check_compose_schema(broken)
    assert code != 0, output


def test_mongo_8_with_a_named_volume_and_a_healthcheck(compose: dict[str, Any]) -> None:
    mongo = compose["services"]["mongo"]
    assert mongo["image"].split(":")[1].startswith("8")
    volume, target = mongo["volumes"][0].split(":")[:2]
    assert target == "/data/db"
    assert volume in compose["volumes"], "the data volume must be a named volume"
    assert mongo["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}
    assert "ports" not in mongo, "the database is not published outside the compose network"


def test_backend_waits_for_a_healthy_database_and_runs_in_production(
    compose: dict[str, Any],
) -> None:
    backend = compose["services"]["backend"]
    assert backend["build"] == "./backend"
    assert backend["depends_on"]["mongo"]["condition"] == "service_healthy"
    env = backend["environment"]
    assert env["ENVIRONMENT"] == "production"
    assert env["MONGODB_URL"].startswith("mongodb://mongo:27017/")
    # `${SECRET_KEY:?...}`: compose refuses to start without one, with a message.
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert {"path": ".env", "required": False} in backend["env_file"]


def test_frontend_gets_the_api_url_and_an_allowed_origin(compose: dict[str, Any]) -> None:
    frontend, backend = compose["services"]["frontend"], compose["services"]["backend"]
    assert frontend["build"] == "./frontend"
    assert frontend["depends_on"]["backend"]["condition"] == "service_healthy"
    assert "API_URL" in frontend["environment"]
    web_port = frontend["ports"][0].split(":")[-1]
    assert f"http://localhost:{web_port}" in backend["environment"]["CORS_ORIGINS"]


def test_only_the_api_port_is_published_and_no_proxy_is_trusted(compose: dict[str, Any]) -> None:
    backend = compose["services"]["backend"]
    # The metrics port (9464 in the image) stays on the compose network.
    assert [port.split(":")[-1] for port in backend["ports"]] == ["8000"]
    # Browsers reach the API directly: no peer may set the client address.
    assert "FORWARDED_ALLOW_IPS" not in backend["environment"]


def test_worker_runs_the_backend_image_on_the_same_database(compose: dict[str, Any]) -> None:
    worker, backend = compose["services"]["worker"], compose["services"]["backend"]
    assert worker["image"] == backend["image"]
    assert worker["command"] == ["vidvault-worker"]
    assert worker["depends_on"]["mongo"]["condition"] == "service_healthy"
    for name in ("ENVIRONMENT", "SECRET_KEY", "MONGODB_URL", "MONGODB_DB"):
        assert worker["environment"][name] == backend["environment"][name]
    port = worker["environment"]["WORKER_HEALTH_PORT"]
    assert f"127.0.0.1:{port}/healthz" in " ".join(worker["healthcheck"]["test"])
    assert "ports" not in worker, "workers take jobs from the database: nothing to publish"
