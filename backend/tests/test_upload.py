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


BOUNDARY = "vidvault-test-boundary"
FORM_HEADERS = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
END = f"--{BOUNDARY}--\r\n".encode()


def part(headers: str, body: bytes) -> bytes:
    return f"--{BOUNDARY}\r\n{headers}\r\n\r\n".encode() + body + b"\r\n"


def field(name: str, value: str) -> bytes:
    return part(f'Content-Disposition: form-data; name="{name}"', value.encode())


def file_part(content: bytes, filename: str = "a.mp4") -> bytes:
    disposition = f'Content-Disposition: form-data; name="file"; filename="{filename}"'
    return part(f"{disposition}\r\nContent-Type: video/mp4", content)


async def test_title_may_come_before_or_after_the_file(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    title = field("title", "Été à Paris")
    file = file_part(mp4_bytes)
    for body in (title + file, file + title):
        response = await client.post(
            VIDEOS, headers=alice.headers | FORM_HEADERS, content=body + END
        )
        assert response.status_code == 201, response.text
        assert response.json()["title"] == "Été à Paris"


async def test_a_title_of_200_characters_is_kept_whole(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    title = "é" * 200
    response = await upload(client, alice, mp4_bytes, title=f"  {title}  ")
    assert response.status_code == 201, response.text
    assert response.json()["title"] == title


@pytest.mark.parametrize("title", ["x" * 201, "x" * 5000], ids=["201-chars", "5000-chars"])
async def test_a_title_too_long_is_422_wherever_it_comes_and_nothing_is_stored(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes, title: str
) -> None:
    for body in (
        field("title", title) + file_part(mp4_bytes),
        file_part(mp4_bytes) + field("title", title),
    ):
        response = await client.post(
            VIDEOS, headers=alice.headers | FORM_HEADERS, content=body + END
        )
        assert response.status_code == 422, response.text
        assert "200 characters" in response.json()["detail"]
        assert await stored_counts(db) == (0, 0, 0)


async def test_a_title_too_long_is_refused_before_the_file_is_read(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    async def body() -> Any:
        # The title's part ends where the next one begins.
        yield field("title", "x" * 201) + f"--{BOUNDARY}\r\n".encode()
        raise AssertionError("the file part must not be read")  # pragma: no cover
        yield b""  # pragma: no cover

    response = await client.post(VIDEOS, headers=alice.headers | FORM_HEADERS, content=body())
    assert response.status_code == 422
    assert await stored_counts(db) == (0, 0, 0)


@pytest.mark.parametrize(
    "extra",
    [
        field("description", "x"),
        field("title", "one") + field("title", "two"),
    ],
    ids=["unknown-field", "two-titles"],
)
async def test_only_known_fields_once_each_are_accepted(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes, extra: bytes
) -> None:
    for body in (extra + file_part(mp4_bytes), file_part(mp4_bytes) + extra):
        response = await client.post(
            VIDEOS, headers=alice.headers | FORM_HEADERS, content=body + END
        )
        assert response.status_code == 422, response.text
        assert await stored_counts(db) == (0, 0, 0)


async def test_an_unknown_field_is_refused_at_its_first_byte(
    client: httpx.AsyncClient, alice: Account, db: Db
) -> None:
    async def body() -> Any:
        yield f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="x"\r\n\r\n'.encode()
        raise AssertionError("the field's value must not be read")  # pragma: no cover
        yield b""  # pragma: no cover

    response = await client.post(VIDEOS, headers=alice.headers | FORM_HEADERS, content=body())
    assert response.status_code == 422
    assert "Unknown form field 'x'" in response.json()["detail"]


async def test_the_bytes_around_the_file_are_capped(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    padding = "\r\n".join(f"X-Padding-{n}: {'p' * 4000}" for n in range(5))
    disposition = 'Content-Disposition: form-data; name="file"; filename="a.mp4"'
    response = await client.post(
        VIDEOS,
        headers=alice.headers | FORM_HEADERS,
        content=part(f"{disposition}\r\n{padding}", mp4_bytes) + END,
    )
    assert response.status_code == 422
    assert "16384 bytes" in response.json()["detail"]
    assert await stored_counts(db) == (0, 0, 0)


async def test_an_epilogue_after_the_closing_boundary_is_ignored_and_capped(
    client: httpx.AsyncClient, alice: Account, db: Db, mp4_bytes: bytes
) -> None:
    async def body(epilogue_pieces: int) -> Any:
        yield file_part(mp4_bytes) + END
        for _ in range(epilogue_pieces):
            yield b"epilogue " * 1000

    headers = alice.headers | FORM_HEADERS
    response = await client.post(VIDEOS, headers=headers, content=body(1))
    assert response.status_code == 201, response.text
    response = await client.post(VIDEOS, headers=headers, content=body(1000))
    assert response.status_code == 422, response.text
    assert (await stored_counts(db))[2] == 1


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
