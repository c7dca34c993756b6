"""Streamed uploads: real containers accepted, everything else refused with nothing stored."""

import os
from typing import Any

import httpx
import pytest

from tests.conftest import Account, Db, stored_counts, upload
from tests.media import SNIFFED_CONTENT_TYPES, encode_video

VIDEOS = "/api/v1/videos"


@pytest.mark.parametrize(("kind", "content_type"), SNIFFED_CONTENT_TYPES)
async def test_real_videos_are_stored_with_their_sniffed_type(
    client: httpx.AsyncClient, alice: Account, db: Db, kind: str, content_type: str
) -> None:
    content = encode_video(kind, seconds=0.5, size=64)
    # The client claims nothing useful: the type comes from the bytes.
    response = await upload(client, alice, content, f"clip.{kind}")
    assert response.status_code == 201, response.text
    video = response.json()
    assert video["content_type"] == content_type
    assert video["size"] == len(content)
    assert video["title"] == "clip"
    assert video["filename"] == f"clip.{kind}"
    assert response.headers["location"] == f"/api/v1/videos/{video['id']}"
    assert await stored_counts(db) == (1, -(-len(content) // 4096), 1)


async def test_the_stored_bytes_are_exactly_the_uploaded_ones(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    video = (await upload(client, alice, mp4_bytes)).json()
    streamed = await client.get(video["stream_url"])
    assert streamed.content == mp4_bytes


async def test_title_may_come_before_or_after_the_file(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    boundary = "vidvault-test-boundary"

    def part(headers: str, body: bytes) -> bytes:
        return f"--{boundary}\r\n{headers}\r\n\r\n".encode() + body + b"\r\n"

    title = part('Content-Disposition: form-data; name="title"', "Été à Paris".encode())
    file = part(
        'Content-Disposition: form-data; name="file"; filename="a.mp4"\r\nContent-Type: video/mp4',
        mp4_bytes,
    )
    for body in (title + file, file + title):
        response = await client.post(
            VIDEOS,
            headers=alice.headers | {"Content-Type": f"multipart/form-data; boundary={boundary}"},
            content=body + f"--{boundary}--\r\n".encode(),
        )
        assert response.status_code == 201, response.text
        assert response.json()["title"] == "Été à Paris"


async def test_a_blank_title_falls_back_to_the_file_name(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    response = await upload(client, alice, mp4_bytes, "Summer 2026.final.mp4", title="   ")
    assert response.json()["title"] == "Summer 2026.final"


async def test_the_client_file_name_is_sanitized(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    for sent, kept in [
        ("../../etc/.passwd.mp4", "passwd.mp4"),
        ("C:\\Users\\me\\clip.mp4", "clip.mp4"),
    ]:
        response = await upload(client, alice, mp4_bytes, sent)
        assert response.status_code == 201
        assert response.json()["filename"] == kept


@pytest.mark.parametrize(
    "content",
    [
        b"This is a plain text file pretending to be a video." * 10,
        os.urandom(20_000),
        b"\x89PNG\r\n\x1a\n" + bytes(5000),
        b"\x00\x00\x00\x20ftypM4A " + bytes(5000),  # ISO-BMFF, but audio only
        b"",
    ],
    ids=["text", "random", "png", "m4a-audio", "empty"],
)
async def test_anything_but_a_video_is_415_and_nothing_is_stored(
    client: httpx.AsyncClient, alice: Account, db: Db, content: bytes
) -> None:
    response = await upload(client, alice, content, "clip.mp4")
    assert response.status_code == 415
    assert "not a supported video" in response.json()["detail"]
    assert await stored_counts(db) == (0, 0, 0)


class TestSizeLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"max_upload_bytes": 20_000}

    async def test_an_upload_past_the_limit_is_413_and_nothing_is_stored(
        self, client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
    ) -> None:
        assert len(mp4_bytes) > 20_000
        response = await upload(client, alice, mp4_bytes)
        assert response.status_code == 413
        assert "20000 bytes" in response.json()["detail"]
        assert await stored_counts(db) == (0, 0, 0)

    async def test_a_declared_length_past_the_limit_is_refused_before_reading(
        self, client: httpx.AsyncClient, alice: Account, db: Db
    ) -> None:
        async def endless_body() -> Any:
            raise AssertionError("the body must not be read")
            yield b""  # pragma: no cover

        response = await client.post(
            VIDEOS,
            headers=alice.headers
            | {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(10**9)},
            content=endless_body(),
        )
        assert response.status_code == 413
        assert await stored_counts(db) == (0, 0, 0)

    async def test_a_video_within_the_limit_is_accepted(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        small = encode_video("webm", seconds=0.3, size=32)
        assert len(small) < 20_000
        assert (await upload(client, alice, small, "small.webm")).status_code == 201


async def test_two_file_parts_are_refused(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    response = await client.post(
        VIDEOS,
        headers=alice.headers,
        files=[("file", ("a.mp4", mp4_bytes)), ("file", ("b.mp4", mp4_bytes))],
    )
    assert response.status_code == 422
    assert await stored_counts(db) == (0, 0, 0)


async def test_upload_requires_a_token(client: httpx.AsyncClient, db: Db, mp4_bytes: bytes) -> None:
    response = await client.post(VIDEOS, files={"file": ("a.mp4", mp4_bytes)})
    assert response.status_code == 401
    assert await stored_counts(db) == (0, 0, 0)
