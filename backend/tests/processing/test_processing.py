"""Real uploads of every accepted kind, processed by a real worker process."""

import io
from typing import Any

import av
import httpx
import pytest

from tests.conftest import Account, upload
from tests.faults.processes import ServiceProcess
from tests.processing.clips import CASES, Case, clip_bytes
from tests.processing.conftest import wait_until_processed

pytestmark = pytest.mark.usefixtures("worker")


def decode_image(data: bytes) -> tuple[int, int]:
    with av.open(io.BytesIO(data), mode="r") as container:
        frame = next(container.decode(video=0))
        return frame.width, frame.height


async def fetch(client: httpx.AsyncClient, url: str, **headers: str) -> httpx.Response:
    """A tokenised URL, fetched as an <img> or <video> would: no Authorization header."""
    return await client.get(url, headers=headers)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_every_kind_becomes_ready_with_poster_storyboard_and_playback(
    client: httpx.AsyncClient, alice: Account, worker: ServiceProcess, case: Case
) -> None:
    created = await upload(client, alice, clip_bytes(case.clip), case.filename)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "processing"
    video = await wait_until_processed(client, alice, created.json()["id"], worker)

    assert video["status"] == "ready", f"{video['processing_error']}\n{worker.log_text()}"
    assert video["processing_error"] is None
    assert video["progress"] == 100
    assert video["duration_seconds"] == pytest.approx(case.clip.seconds, abs=0.1)
    assert (video["width"], video["height"]) == (case.clip.width, case.clip.height)
    await _check_poster(client, video, case)
    await _check_storyboard(client, video)
    await _check_playback(client, video, case)
    # The step's child process exited cleanly: nothing of it on the worker's stderr.
    assert "Fatal Python error" not in worker.log_text()


async def _check_poster(client: httpx.AsyncClient, video: dict[str, Any], case: Case) -> None:
    poster = await fetch(client, video["poster_url"])
    assert poster.status_code == 200
    assert poster.headers["content-type"] == "image/webp"
    width, height = decode_image(poster.content)
    assert width / height == pytest.approx(case.clip.width / case.clip.height, rel=0.05)
    again = await fetch(client, video["poster_url"], **{"If-None-Match": poster.headers["etag"]})
    assert again.status_code == 304


async def _check_storyboard(client: httpx.AsyncClient, video: dict[str, Any]) -> None:
    index = await fetch(client, video["storyboard_url"])
    assert index.status_code == 200
    board = index.json()
    assert board["count"] == 4  # a 2-second clip: one tile every half second
    assert board["interval_seconds"] == pytest.approx(video["duration_seconds"] / 4, abs=0.01)
    sprite = await fetch(client, board["sprite_url"])
    assert sprite.status_code == 200
    width, height = decode_image(sprite.content)
    assert (width, height) == (
        board["columns"] * board["tile_width"],
        board["rows"] * board["tile_height"],
    )


async def _check_playback(client: httpx.AsyncClient, video: dict[str, Any], case: Case) -> None:
    played = await fetch(client, video["playback_url"])
    assert played.status_code == 200
    original = await fetch(client, video["stream_url"])
    if not case.needs_copy:
        # The original plays: playback serves exactly its bytes.
        assert played.content == original.content
        assert played.headers["etag"] == original.headers["etag"]
        return
    assert played.headers["content-type"] == "video/mp4"
    assert played.headers["etag"] != original.headers["etag"]
    # The index comes before the media data, so a browser starts playing at once.
    assert played.content.find(b"moov") < played.content.find(b"mdat")
    with av.open(io.BytesIO(played.content), mode="r") as copy:
        stream = copy.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (case.clip.width, case.clip.height)
        assert (copy.duration or 0) / 1e6 == pytest.approx(case.clip.seconds, abs=0.1)
        audio = [s.codec_context.name for s in copy.streams.audio]
        assert audio == (["aac"] if case.clip.audio_codec else [])
