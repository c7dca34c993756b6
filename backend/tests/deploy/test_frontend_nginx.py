"""The web image's nginx configuration and its config.js writer, checked offline.

No nginx binary here: crossplane (nginx's own config parser, in Python) checks
syntax, directive names, contexts and argument counts.
"""

import os
import subprocess
from pathlib import Path
from typing import Any

import crossplane
import pytest

from tests.deploy.support import FRONTEND

NGINX = FRONTEND / "nginx"
WRITER = NGINX / "write-config-js.sh"


def parse(path: Path) -> dict[str, Any]:
    payload: dict[str, Any] = crossplane.parse(
        str(path), strict=True, check_ctx=True, check_args=True
    )
    return payload


def as_installed(tmp_path: Path) -> Path:
    """nginx.conf with its includes pointing at the files the image puts there.

    The CSP include is what the writer produces at container start.
    """
    mime_types = tmp_path / "mime.types"
    # crossplane reads a types block's entries as directives: a stand-in directive instead.
    mime_types.write_text("types_hash_max_size 2048;\n")
    assert write_config(tmp_path, "http://localhost:8000").returncode == 0
    site = (NGINX / "vidvault.conf").read_text()
    assert "include /tmp/vidvault/csp.conf;" in site
    installed_site = tmp_path / "vidvault.conf"
    installed_site.write_text(
        site.replace("/tmp/vidvault/csp.conf", str(tmp_path / "out" / "csp.conf"))
    )
    text = (NGINX / "nginx.conf").read_text()
    assert "include /etc/nginx/conf.d/*.conf;" in text
    text = text.replace("/etc/nginx/conf.d/*.conf", str(installed_site))
    text = text.replace("/etc/nginx/mime.types", str(mime_types))
    main = tmp_path / "nginx.conf"
    main.write_text(text)
    return main


def parsed(payload: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    [config] = [c for c in payload["config"] if c["file"] == str(path)]
    block: list[dict[str, Any]] = config["parsed"]
    return block


def directives(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for block in blocks:
        found.append(block)
        found.extend(directives(block.get("block", [])))
    return found


def location(server: list[dict[str, Any]], *args: str) -> list[dict[str, Any]]:
    [match] = [d for d in server if d["directive"] == "location" and d["args"] == list(args)]
    block: list[dict[str, Any]] = match["block"]
    return block


def headers(block: list[dict[str, Any]]) -> dict[str, str]:
    return {d["args"][0]: d["args"][1] for d in block if d["directive"] == "add_header"}


@pytest.fixture
def server(tmp_path: Path) -> list[dict[str, Any]]:
    payload = parse(as_installed(tmp_path))
    assert payload["errors"] == []
    site = tmp_path / "vidvault.conf"
    [server] = [d for d in parsed(payload, site) if d["directive"] == "server"]
    block: list[dict[str, Any]] = server["block"]
    return block


def test_nginx_configuration_parses_cleanly_as_installed(tmp_path: Path) -> None:
    payload = parse(as_installed(tmp_path))
    assert payload["status"] == "ok", payload["errors"]
    assert {c["file"] for c in payload["config"]} >= {
        str(tmp_path / "vidvault.conf"),
        str(tmp_path / "out" / "csp.conf"),
    }


def test_the_parser_does_reject_a_broken_configuration(tmp_path: Path) -> None:
    broken = tmp_path / "broken.conf"
    broken.write_text("server { listen; try_files_typo $uri; }\n")
    assert parse(broken)["errors"]


def test_nginx_writes_only_under_tmp(tmp_path: Path) -> None:
    # The container's root filesystem is read-only: pid and temp files go to /tmp.
    main = as_installed(tmp_path)
    paths = {
        d["directive"]: d["args"][0]
        for d in directives(parsed(parse(main), main))
        if d["directive"] == "pid" or d["directive"].endswith("_temp_path")
    }
    assert len(paths) == 6
    assert all(path.startswith("/tmp/") for path in paths.values()), paths


def test_spa_fallback_and_cache_policy(server: list[dict[str, Any]]) -> None:
    assert any(d["args"] == ["8080"] for d in server if d["directive"] == "listen")
    root = location(server, "/")
    [try_files] = [d["args"] for d in root if d["directive"] == "try_files"]
    assert try_files[-1] == "/index.html"
    assert headers(location(server, "/assets/"))["Cache-Control"] == (
        "public, max-age=31536000, immutable"
    )
    assert headers(location(server, "=", "/index.html"))["Cache-Control"] == "no-cache"
    config_js = location(server, "=", "/config.js")
    assert headers(config_js)["Cache-Control"] == "no-cache"
    [alias] = [d["args"][0] for d in config_js if d["directive"] == "alias"]
    assert alias == "/tmp/vidvault/config.js"


def test_every_location_that_sets_headers_keeps_nosniff(server: list[dict[str, Any]]) -> None:
    # add_header in a location drops the server's: each one must repeat the safety headers.
    for block in (d["block"] for d in server if d["directive"] == "location"):
        if any(d["directive"] == "add_header" for d in block):
            assert headers(block)["X-Content-Type-Options"] == "nosniff"


def write_config(
    tmp_path: Path, api_url: str | None, chunk_bytes: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "CONFIG_JS_PATH": str(tmp_path / "out" / "config.js"),
        "CSP_CONF_PATH": str(tmp_path / "out" / "csp.conf"),
        "CSP_TEMPLATE_PATH": str(NGINX / "content-security-policy"),
    }
    if api_url is not None:
        env["API_URL"] = api_url
    if chunk_bytes is not None:
        env["UPLOAD_CHUNK_BYTES"] = chunk_bytes
    return subprocess.run(
        ["sh", str(WRITER)], env=env, capture_output=True, text=True, timeout=10, check=False
    )


def test_config_js_carries_the_api_url(tmp_path: Path) -> None:
    assert write_config(tmp_path, "https://api.example.com:8443").returncode == 0
    written = (tmp_path / "out" / "config.js").read_text()
    assert written == 'window.VIDVAULT_CONFIG = { apiUrl: "https://api.example.com:8443" };\n'


def test_config_js_defaults_to_the_pages_origin(tmp_path: Path) -> None:
    assert write_config(tmp_path, None).returncode == 0
    written = (tmp_path / "out" / "config.js").read_text()
    assert written == "window.VIDVAULT_CONFIG = { apiUrl: window.location.origin };\n"


def test_config_js_carries_an_upload_chunk_size_when_set(tmp_path: Path) -> None:
    assert write_config(tmp_path, "https://api.example.com", "1048576").returncode == 0
    written = (tmp_path / "out" / "config.js").read_text()
    assert written == (
        'window.VIDVAULT_CONFIG = { apiUrl: "https://api.example.com", uploadChunkBytes: 1048576 };\n'
    )


@pytest.mark.parametrize("chunk_bytes", ["1e6", "0", "-5", "8M", "1;alert(1)"])
def test_config_js_refuses_an_upload_chunk_size_that_is_not_a_byte_count(
    tmp_path: Path, chunk_bytes: str
) -> None:
    result = write_config(tmp_path, None, chunk_bytes)
    assert result.returncode != 0
    assert "UPLOAD_CHUNK_BYTES must be" in result.stderr
    assert not (tmp_path / "out" / "config.js").exists()


@pytest.mark.parametrize("api_url", ['x";alert(1);"', "javascript:alert(1)", "http://a b"])
def test_config_js_refuses_a_value_that_is_not_a_plain_url(tmp_path: Path, api_url: str) -> None:
    result = write_config(tmp_path, api_url)
    assert result.returncode != 0
    assert "API_URL must be" in result.stderr
    assert not (tmp_path / "out" / "config.js").exists()


def csp_written(tmp_path: Path, api_url: str | None) -> dict[str, list[str]]:
    """The policy the writer gives nginx, directive by directive."""
    assert write_config(tmp_path, api_url).returncode == 0
    line = (tmp_path / "out" / "csp.conf").read_text().strip()
    assert line.startswith('set $content_security_policy "') and line.endswith('";')
    policy = line.removeprefix('set $content_security_policy "').removesuffix('";')
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {name: sources for name, *sources in parts}


def test_every_page_is_sent_with_the_content_security_policy(
    server: list[dict[str, Any]],
) -> None:
    for page in (location(server, "/"), location(server, "=", "/index.html")):
        assert headers(page)["Content-Security-Policy"] == "$content_security_policy"


def test_the_policy_is_strict_and_allows_the_api_origin_only_where_needed(
    tmp_path: Path,
) -> None:
    csp = csp_written(tmp_path, "https://api.example.com:8443/base")
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    for directive in ("connect-src", "media-src", "img-src"):
        assert "https://api.example.com:8443" in csp[directive]  # the origin, not the path
    assert not any("unsafe" in source for sources in csp.values() for source in sources)


def test_the_policy_is_same_origin_without_an_api_url(tmp_path: Path) -> None:
    csp = csp_written(tmp_path, None)
    assert csp["connect-src"] == ["'self'"]
