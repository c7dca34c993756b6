"""Hostile input gets a clear 4xx, quickly, and never a 500 or an injected header."""

import time
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from tests.conftest import Account, Db, stored_counts, upload
from vidvault.main import MAX_SMALL_BODY_BYTES

SIGNUP = "/api/v1/auth/signup"
LOGIN = "/api/v1/auth/login"
VIDEOS = "/api/v1/videos"


# --- Range ----------------------------------------------------------------------------


async def test_fifty_thousand_ranges_are_answered_quickly_with_the_first(
    client: httpx.AsyncClient, alice_video: dict[str, Any], mp4_bytes: bytes
) -> None:
    header = "bytes=" + ",".join(f"{i * 2}-{i * 2}" for i in range(50_000))
    assert len(header) > 500_000
    started = time.perf_counter()
    response = await client.get(alice_video["stream_url"], headers={"Range": header})
    elapsed = time.perf_counter() - started
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes 0-0/{len(mp4_bytes)}"
    assert response.content == mp4_bytes[:1]
    assert elapsed < 1.0, f"{elapsed:.2f}s for one Range header"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=abc",
        "bytes=5-2",
        "bytes=--",
        "bytes=-",
        "bytes=",
        "bytes",
        "=0-1",
        "items=0-1",
        "bytes=0-1-2",
        "bytes=0x10-0x20",
        "bytes=+1-2",
        "bytes=1e3-",
        "bytes= - 5",
        "bytes=-+5",
        ",,,,,,",
        "bytes=," + "," * 10_000,
        "bytes=" + "9" * 5000 + "-",
        "bytes=0-" + "9" * 5000,
        "bytes=-" + "9" * 5000,
        "bytes=\t0-1",
        "BYTES=0-1",
    ],
)
async def test_a_malformed_range_is_whole_or_first_or_416_never_500(
    client: httpx.AsyncClient, alice_video: dict[str, Any], mp4_bytes: bytes, header: str
) -> None:
    response = await client.get(alice_video["stream_url"], headers={"Range": header})
    assert response.status_code in {200, 206, 416}, response.text
    if response.status_code == 200:
        assert response.content == mp4_bytes
    elif response.status_code == 206:
        first, last = response.headers["content-range"].split()[1].split("/")[0].split("-")
        assert response.content == mp4_bytes[int(first) : int(last) + 1]
    else:
        assert response.headers["content-range"] == f"bytes */{len(mp4_bytes)}"


# --- File names and header injection --------------------------------------------------

HOSTILE_NAMES = [
    'evil"; filename="other.exe',
    "evil\r\nSet-Cookie: session=stolen.mp4",
    "evil\nX-Injected: yes.mp4",
    "a\x00b\x7f.mp4",
    "../../etc/passwd.mp4",
    "..\\..\\windows\\system32.mp4",
    "ünïcödé 🎬 clip.mp4",
    "%0d%0aX-Injected: yes.mp4",
]


def _multipart_with_raw_name(name: str, content: bytes) -> tuple[str, bytes]:
    boundary = "hostile-boundary"
    escaped = name.replace('"', '\\"').encode("utf-8")
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="'
        + escaped
        + b'"\r\nContent-Type: video/mp4\r\n\r\n'
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return f"multipart/form-data; boundary={boundary}", body


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_a_hostile_file_name_cannot_inject_headers(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes, name: str
) -> None:
    content_type, body = _multipart_with_raw_name(name, mp4_bytes)
    response = await client.post(
        VIDEOS, headers=alice.headers | {"Content-Type": content_type}, content=body
    )
    # A raw CR or LF ends the part header early: the form is then malformed (422).
    assert response.status_code in {201, 422}, response.text
    if response.status_code == 422:
        assert "\r" in name or "\n" in name
        return
    video = response.json()
    stored = video["filename"]
    assert not any(c in stored for c in '\r\n\x00\x7f"/\\')
    for download in ("0", "1"):
        streamed = await client.get(video["stream_url"] + f"&download={download}")
        assert streamed.status_code == 200
        raw_headers = streamed.headers.raw
        assert all(b"\r" not in v and b"\n" not in v for _, v in raw_headers)
        names = [k.lower() for k, _ in raw_headers]
        assert b"x-injected" not in names
        assert b"set-cookie" not in names
        assert names.count(b"content-disposition") == 1
        disposition = streamed.headers["content-disposition"]
        kind = "attachment" if download == "1" else "inline"
        assert disposition.startswith(f'{kind}; filename="')
        fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
        assert fallback.isascii()
        assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == stored


# --- Oversized and malformed bodies ----------------------------------------------------


async def test_a_huge_json_body_is_413_without_being_read(client: httpx.AsyncClient) -> None:
    padding = "x" * (MAX_SMALL_BODY_BYTES * 20)
    response = await client.post(
        SIGNUP, json={"email": "a@example.com", "password": "12345678", "pad": padding}
    )
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The request body is larger than the limit")


async def test_a_huge_body_without_content_length_is_413(client: httpx.AsyncClient) -> None:
    async def chunked() -> Any:
        for _ in range(40):
            yield b"x" * 4096

    response = await client.post(
        SIGNUP, content=chunked(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


async def test_a_small_body_just_under_the_limit_is_still_parsed(
    client: httpx.AsyncClient,
) -> None:
    body = {"email": "a@example.com", "password": "x" * (MAX_SMALL_BODY_BYTES - 100)}
    response = await client.post(SIGNUP, json=body)
    assert response.status_code == 422  # too long a password, said by the schema


@pytest.mark.parametrize(
    "body",
    [
        {"email": "a" * 10_000 + "@example.com", "password": "12345678"},
        {"email": "a@" + "b" * 300 + ".com", "password": "12345678"},
        {"email": "a@example.com", "password": "p" * 129},
        {"email": "a@example.com", "password": "p" * 20_000},
        {"email": "a@example.com\r\nBcc: x@example.com", "password": "12345678"},
        {"email": ["a@example.com"], "password": "12345678"},
        {"email": "a@example.com", "password": None},
    ],
    ids=["long-local", "long-domain", "password-129", "password-20k", "crlf", "list", "null"],
)
async def test_over_long_or_odd_signup_fields_are_422(
    client: httpx.AsyncClient, db: Db, body: dict[str, Any]
) -> None:
    response = await client.post(SIGNUP, json=body)
    assert response.status_code == 422, response.text
    assert await db["users"].count_documents({}) == 0


@pytest.mark.parametrize(
    "content",
    [b"{", b"[]", b"null", b"\xff\xfe", b'{"email": 1e999999}', "\ufffd\ufffd".encode(), b"\x80"],
)
async def test_broken_json_is_422(client: httpx.AsyncClient, content: bytes) -> None:
    response = await client.post(
        SIGNUP, content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422


async def test_an_over_long_login_is_refused_quickly(client: httpx.AsyncClient) -> None:
    started = time.perf_counter()
    response = await client.post(
        LOGIN, data={"username": "a" * 20_000 + "@example.com", "password": "p" * 40_000}
    )
    assert response.status_code in {401, 413, 422}
    assert time.perf_counter() - started < 2.0


MULTIPART = "multipart/form-data; boundary=abc"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            MULTIPART,
            b'--abc\r\nContent-Disposition: form-data; name="title"\r\n\r\nhi\r\n--abc--\r\n',
        ),
        (MULTIPART, b"--abc--\r\n"),
        (MULTIPART, b""),
        ("multipart/form-data; boundary=" + "b" * 5000, b"--bbb--\r\n"),
        ("multipart/form-data; boundary=abc", b"--abc\r\n\r\n\r\n--abc--\r\n"),
        (
            "multipart/form-data; boundary=abc",
            b'--abc\r\nContent-Disposition: attachment; name="file"\r\n\r\nx\r\n--abc--\r\n',
        ),
        ("multipart/mixed; boundary=abc", b"--abc--\r\n"),
        ("text/plain", b"hello"),
        ("application/json", b'{"file": "x"}'),
        ("multipart/form-data", b"no boundary"),
        (
            MULTIPART,
            b'--wrong\r\nContent-Disposition: form-data; name="file"\r\n\r\nxx\r\n--wrong--\r\n',
        ),
        (
            MULTIPART,
            b'--abc\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\n'
            b"\x00\x00\x00\x1cftypisom" + bytes(100),
        ),
    ],
    ids=[
        "no-file-part",
        "empty-form",
        "empty-body",
        "huge-boundary",
        "part-without-headers",
        "not-form-data",
        "multipart-mixed",
        "text",
        "json",
        "no-boundary",
        "wrong-boundary",
        "truncated",
    ],
)
async def test_malformed_uploads_are_4xx_and_leave_nothing(
    client: httpx.AsyncClient, alice: Account, db: Db, content_type: str, body: bytes
) -> None:
    response = await client.post(
        VIDEOS, headers=alice.headers | {"Content-Type": content_type}, content=body
    )
    assert response.status_code == 422, response.text
    assert await stored_counts(db) == (0, 0, 0)


async def test_a_file_part_under_a_wrong_boundary_stores_nothing(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    content_type, body = _multipart_with_raw_name("a.mp4", mp4_bytes)
    response = await client.post(
        VIDEOS,
        headers=alice.headers | {"Content-Type": content_type.replace("hostile", "other")},
        content=body,
    )
    assert response.status_code == 422
    assert await stored_counts(db) == (0, 0, 0)


async def test_a_content_length_over_the_cap_is_413_before_reading(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    content_type, body = _multipart_with_raw_name("a.mp4", mp4_bytes)
    response = await client.post(
        VIDEOS,
        headers=alice.headers | {"Content-Type": content_type, "Content-Length": str(10 * 1024**4)},
        content=body,
    )
    assert response.status_code == 413
    assert await stored_counts(db) == (0, 0, 0)


# --- Security headers and CORS ---------------------------------------------------------

ALLOWED_ORIGIN = "http://127.0.0.1:5173"


async def _sample_responses(
    client: httpx.AsyncClient, alice: Account, video: dict[str, Any]
) -> list[httpx.Response]:
    stream = video["stream_url"]
    return [
        await client.get("/healthz"),
        await client.get("/readyz"),
        await client.get("/metrics"),
        await client.get("/nowhere"),
        await client.put("/api/v1/users/me"),
        await client.get("/api/v1/users/me"),
        await client.get("/api/v1/users/me", headers=alice.headers),
        await client.get(f"{VIDEOS}/{'0' * 24}", headers=alice.headers),
        await client.get(VIDEOS, headers=alice.headers, params={"limit": 0}),
        await client.post(SIGNUP, content=b"x" * (MAX_SMALL_BODY_BYTES + 1)),
        await client.get(stream),
        await client.get(stream, headers={"Range": "bytes=0-10"}),
        await client.get(stream, headers={"Range": "bytes=999999999-"}),
        await client.get(stream, headers={"If-None-Match": "*"}),
        await client.head(stream),
        await client.options(
            VIDEOS,
            headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"},
        ),
    ]


async def test_every_response_carries_the_security_headers(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any]
) -> None:
    responses = await _sample_responses(client, alice, alice_video)
    codes = {r.status_code for r in responses}
    assert {200, 206, 304, 401, 404, 405, 413, 416, 422} <= codes
    for response in responses:
        headers = response.headers
        where = f"{response.request.method} {response.request.url} -> {response.status_code}"
        assert headers["x-content-type-options"] == "nosniff", where
        assert headers["referrer-policy"] == "no-referrer", where
        assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert headers["x-frame-options"] == "DENY", where


async def test_cors_answers_only_the_configured_origins(client: httpx.AsyncClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    allowed = await client.options(VIDEOS, headers={"Origin": ALLOWED_ORIGIN} | preflight)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    for origin in ("http://evil.example", "null", "http://127.0.0.1:5173.evil.example"):
        refused = await client.options(VIDEOS, headers={"Origin": origin} | preflight)
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
        simple = await client.get("/healthz", headers={"Origin": origin})
        assert "access-control-allow-origin" not in simple.headers
        assert "access-control-allow-credentials" not in simple.headers
    simple = await client.get("/healthz", headers={"Origin": ALLOWED_ORIGIN})
    assert simple.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


async def test_a_title_with_markup_is_stored_as_text(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    title = "<script>alert(1)</script>\u202e"
    response = await upload(client, alice, mp4_bytes, title=title)
    assert response.status_code == 201
    # Kept as text; only the invisible bidi control goes (issue 14).
    assert response.json()["title"] == "<script>alert(1)</script>"
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("path", [VIDEOS, f"{VIDEOS}/{'0' * 24}", "/healthz", "/api/v1/users/me"])
async def test_405_lists_exactly_the_methods_the_path_answers(
    client: httpx.AsyncClient, path: str
) -> None:
    refused = await client.request("PUT", path)
    assert refused.status_code == 405
    allowed = refused.headers["allow"].split(", ")
    assert allowed
    for method in ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"):
        response = await client.request(method, path)
        assert (response.status_code != 405) == (method in allowed), (method, allowed)
