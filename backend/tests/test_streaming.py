"""The byte stream: RFC 9110 ranges, validators and conditionals, HEAD, stream tokens."""

import os
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import TEST_CHUNK_SIZE, Account, log_in, sign_like, upload
from vidvault.core.security import TokenType
from vidvault.videos.streaming import COPY_BYTES, next_part

CHUNK = TEST_CHUNK_SIZE


def stream_path(video: dict[str, Any]) -> str:
    return f"/api/v1/videos/{video['id']}/stream"


async def get_stream(
    client: httpx.AsyncClient, video: dict[str, Any], headers: dict[str, str] | None = None
) -> httpx.Response:
    return await client.get(video["stream_url"], headers=headers or {})


async def test_the_whole_video_is_200_with_validators(
    client: httpx.AsyncClient, alice_video: dict[str, Any], mp4_bytes: bytes
) -> None:
    response = await get_stream(client, alice_video)
    assert response.status_code == 200
    assert response.content == mp4_bytes
    assert response.headers["content-length"] == str(len(mp4_bytes))
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"].startswith('"')
    assert response.headers["last-modified"].endswith(" GMT")
    assert response.headers["content-disposition"].startswith('inline; filename="holiday.mp4"')
    assert "content-range" not in response.headers


def _expected_ranges(size: int) -> list[tuple[str, int, int]]:
    """(Range header, first byte, last byte) for each form, many on chunk boundaries."""
    return [
        ("bytes=0-0", 0, 0),
        ("bytes=0-1023", 0, 1023),
        (f"bytes={CHUNK - 1}-{CHUNK}", CHUNK - 1, CHUNK),  # straddles two chunks
        (f"bytes={CHUNK}-{2 * CHUNK - 1}", CHUNK, 2 * CHUNK - 1),  # exactly one chunk
        (f"bytes={CHUNK - 10}-{3 * CHUNK + 10}", CHUNK - 10, 3 * CHUNK + 10),  # spans four
        (f"bytes={2 * CHUNK}-", 2 * CHUNK, size - 1),  # open-ended
        ("bytes=-500", size - 500, size - 1),  # suffix
        (f"bytes=-{size + 1000}", 0, size - 1),  # suffix longer than the file
        (f"bytes=100-{size + 5000}", 100, size - 1),  # end past the file is clamped
        (f"bytes={size - 1}-", size - 1, size - 1),  # the last byte alone
        ("bytes=5-9, 20-30", 5, 9),  # several ranges: the first is served
    ]


async def test_each_range_form_is_206_with_the_exact_bytes(
    client: httpx.AsyncClient, alice_video: dict[str, Any], mp4_bytes: bytes
) -> None:
    size = len(mp4_bytes)
    assert size > 5 * CHUNK
    for header, first, last in _expected_ranges(size):
        response = await get_stream(client, alice_video, {"Range": header})
        assert response.status_code == 206, header
        assert response.content == mp4_bytes[first : last + 1], header
        assert response.headers["content-range"] == f"bytes {first}-{last}/{size}", header
        assert response.headers["content-length"] == str(last - first + 1), header


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=-0", "bytes=45321-45400"])
async def test_an_unsatisfiable_range_is_416_with_the_size(
    client: httpx.AsyncClient, alice_video: dict[str, Any], mp4_bytes: bytes, header: str
) -> None:
    header = header.replace("45321", str(len(mp4_bytes)))
    response = await get_stream(client, alice_video, {"Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(mp4_bytes)}"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=abc",
        "bytes=10-5",
        "items=0-10",
        "bytes=",
        "bytes=--5",
        "bytes=1-2-3",
        "bytes=0x10-20",
        "bytes=+5-9",
    ],
)
async def test_a_range_that_cannot_be_parsed_is_ignored(
    client: httpx.AsyncClient, alice_video: dict[str, Any], mp4_bytes: bytes, header: str
) -> None:
    response = await get_stream(client, alice_video, {"Range": header})
    assert response.status_code == 200
    assert response.content == mp4_bytes


async def test_a_thousand_ranges_are_answered_with_the_first(
    client: httpx.AsyncClient, alice_video: dict[str, Any], mp4_bytes: bytes
) -> None:
    header = "bytes=" + ", ".join(f"{i}-{i}" for i in range(0, 20_000, 2))
    response = await get_stream(client, alice_video, {"Range": header})
    assert response.status_code == 206
    assert response.content == mp4_bytes[0:1]


async def test_head_has_the_headers_and_no_body(
    client: httpx.AsyncClient, alice_video: dict[str, Any], mp4_bytes: bytes
) -> None:
    full = await client.head(alice_video["stream_url"])
    assert full.status_code == 200
    assert full.content == b""
    assert full.headers["content-length"] == str(len(mp4_bytes))
    ranged = await client.head(alice_video["stream_url"], headers={"Range": "bytes=10-19"})
    assert ranged.status_code == 206
    assert ranged.headers["content-range"] == f"bytes 10-19/{len(mp4_bytes)}"
    assert ranged.headers["content-length"] == "10"


async def test_if_none_match_with_the_etag_is_304(
    client: httpx.AsyncClient, alice_video: dict[str, Any]
) -> None:
    etag = (await client.head(alice_video["stream_url"])).headers["etag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = await get_stream(client, alice_video, {"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.content == b""
        assert response.headers["etag"] == etag
    changed = await get_stream(client, alice_video, {"If-None-Match": '"something-else"'})
    assert changed.status_code == 200


async def test_if_range_serves_the_range_only_while_the_validator_matches(
    client: httpx.AsyncClient, alice_video: dict[str, Any], mp4_bytes: bytes
) -> None:
    head = await client.head(alice_video["stream_url"])
    etag, modified = head.headers["etag"], head.headers["last-modified"]
    for validator in (etag, modified):
        matched = await get_stream(
            client, alice_video, {"Range": "bytes=0-99", "If-Range": validator}
        )
        assert matched.status_code == 206
        assert matched.content == mp4_bytes[:100]
    for stale in ('"stale-etag"', f"W/{etag}", "Mon, 01 Jan 2001 00:00:00 GMT", "garbage"):
        response = await get_stream(client, alice_video, {"Range": "bytes=0-99", "If-Range": stale})
        assert response.status_code == 200, stale
        assert response.content == mp4_bytes


async def test_download_asks_for_an_attachment_with_a_safely_encoded_name(
    client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes
) -> None:
    video = (await upload(client, alice, mp4_bytes, "Été à Paris; 100%.mp4")).json()
    response = await client.get(video["stream_url"] + "&download=1", headers={"Range": "bytes=0-0"})
    disposition = response.headers["content-disposition"]
    assert disposition == (
        'attachment; filename="_t_ _ Paris; 100%.mp4"; '
        "filename*=UTF-8''%C3%89t%C3%A9%20%C3%A0%20Paris%3B%20100%25.mp4"
    )


async def test_a_bearer_token_also_opens_the_stream(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any], mp4_bytes: bytes
) -> None:
    response = await client.get(
        stream_path(alice_video), headers=alice.headers | {"Range": "bytes=0-9"}
    )
    assert response.status_code == 206
    assert response.content == mp4_bytes[:10]


async def test_the_stream_without_any_token_is_401(
    client: httpx.AsyncClient, alice_video: dict[str, Any]
) -> None:
    assert (await client.get(stream_path(alice_video))).status_code == 401


async def test_a_stream_token_opens_only_its_own_video(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any], mp4_bytes: bytes
) -> None:
    other = (await upload(client, alice, mp4_bytes, "other.mp4")).json()
    token = alice_video["stream_url"].split("token=")[1]
    response = await client.get(stream_path(other), params={"token": token})
    assert response.status_code == 401
    assert response.json()["detail"] == "The stream token is for another video"


async def test_an_expired_stream_token_is_refused(
    client: httpx.AsyncClient, alice_video: dict[str, Any]
) -> None:
    stream_token = alice_video["stream_url"].split("token=")[1]
    expired = sign_like(stream_token, TokenType.STREAM, timedelta(seconds=-1))
    response = await client.get(stream_path(alice_video), params={"token": expired})
    assert response.status_code == 401


async def test_an_access_token_is_not_a_stream_token(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any]
) -> None:
    response = await client.get(stream_path(alice_video), params={"token": alice.token})
    assert response.status_code == 401


async def test_a_stream_token_for_someone_elses_video_is_useless(
    client: httpx.AsyncClient, alice_video: dict[str, Any], bob: Account
) -> None:
    # A validly signed stream token of Bob's, naming Alice's video: ownership still decides.
    token = sign_like(bob.token, TokenType.STREAM, timedelta(minutes=5), alice_video["id"])
    assert (await client.get(stream_path(alice_video), params={"token": token})).status_code == 404


async def test_logout_revokes_stream_urls_too(
    client: httpx.AsyncClient, alice: Account, alice_video: dict[str, Any]
) -> None:
    assert (await client.head(alice_video["stream_url"])).status_code == 200
    await client.post("/api/v1/auth/logout", headers=alice.headers)
    assert (await client.head(alice_video["stream_url"])).status_code == 401
    fresh = await log_in(client, alice.email)
    video = (await client.get(f"/api/v1/videos/{alice_video['id']}", headers=fresh.headers)).json()
    assert (await client.head(video["stream_url"])).status_code == 200


async def test_reads_fetch_only_the_chunks_the_range_covers(
    client: httpx.AsyncClient,
    alice_video: dict[str, Any],
    mp4_bytes: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pymongo.asynchronous.collection import AsyncCollection

    from vidvault.storage.chunk_replies import ChunkCursor

    filters: list[dict[str, Any]] = []
    original_init = ChunkCursor.__init__

    def recording_init(
        self: ChunkCursor, collection: AsyncCollection[Any], *args: Any, **kwargs: Any
    ) -> None:
        assert collection.name == "fs.chunks"
        filters.append({"filter": args[0] if args else kwargs.get("filter"), **kwargs})
        original_init(self, collection, *args, **kwargs)

    monkeypatch.setattr(ChunkCursor, "__init__", recording_init)
    response = await get_stream(
        client, alice_video, {"Range": f"bytes={3 * CHUNK + 5}-{4 * CHUNK + 5}"}
    )
    assert response.status_code == 206
    # One window per query (one chunk, then two, ... while the client keeps up):
    # together exactly the chunks the range covers, each query bounded.
    assert [q["filter"]["n"] for q in filters] == [{"$gte": 3, "$lte": 3}, {"$gte": 4, "$lte": 4}]
    assert all(0 < q["batch_size"] <= 1024 for q in filters)


def test_a_chunk_goes_out_whole_when_the_kernel_takes_it() -> None:
    chunk = memoryview(bytes(range(256)) * 4096)  # 1 MiB
    part = next_part(chunk, room=2 * len(chunk))
    assert isinstance(part, memoryview) and part.obj is chunk.obj and len(part) == len(chunk)


def test_a_chunk_goes_out_in_views_as_large_as_the_room() -> None:
    chunk = memoryview(bytes(1024 * 1024))
    part = next_part(chunk, room=300 * 1024)
    assert isinstance(part, memoryview) and len(part) == 300 * 1024


def test_without_room_only_a_small_copy_goes_out() -> None:
    # What the server keeps of it is then a copy, never a view pinning the chunk.
    chunk = memoryview(os.urandom(1024 * 1024))
    for room in (0, COPY_BYTES - 1):
        part = next_part(chunk[10:], room)
        assert isinstance(part, bytes) and part == chunk[10 : 10 + COPY_BYTES]
    # A small remainder that fits goes out as it is.
    assert isinstance(next_part(chunk[-100:], room=100), memoryview)
