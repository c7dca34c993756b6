"""Hostile and broken media: the worker survives, the video fails with a reason, no 5xx anywhere."""

import os
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import Account, upload
from tests.faults.processes import ServiceProcess
from tests.media import Clip, encode_clip
from tests.processing.conftest import wait_until_processed

MAX_DURATION_SECONDS = 5


@pytest.fixture(scope="module")
def worker_settings() -> dict[str, Any]:
    return {"max_video_duration_seconds": MAX_DURATION_SECONDS}


def _truncated() -> bytes:
    whole = encode_clip(Clip("mp4", "libx264", 2, 96, 64))
    return whole[: len(whole) // 2]  # the index (moov) is at the end: it is gone


def _garbage_after_header() -> bytes:
    whole = encode_clip(Clip("matroska", "mpeg4", 1, 64, 64))
    return whole[:64] + os.urandom(48 * 1024)


def _empty_stream() -> bytes:
    return encode_clip(Clip("matroska", "mpeg4", 0, 64, 64))  # a video stream, no frames


def _audio_only() -> bytes:
    with_audio = Clip("webm", "libvpx", 1, 64, 64, audio_codec="libopus")
    return encode_clip(with_audio, video=False)


def _huge_frames() -> bytes:
    return encode_clip(Clip("webm", "libvpx", 0.1, 8200, 16, fps=10))


def _too_long() -> bytes:
    return encode_clip(Clip("matroska", "mpeg4", MAX_DURATION_SECONDS + 2, 32, 32, fps=4))


@dataclass(frozen=True)
class Hostile:
    name: str
    make: Any
    filename: str
    reason: str  # a fragment of the reason the video must give


HOSTILE = [
    Hostile("truncated", _truncated, "cut.mp4", "damaged or incomplete"),
    Hostile("random-after-header", _garbage_after_header, "noise.mkv", "damaged"),
    Hostile("zero-length-stream", _empty_stream, "empty.mkv", "damaged or incomplete"),
    Hostile("no-video-stream", _audio_only, "song.webm", "no video stream"),
    Hostile("frame-too-large", _huge_frames, "wide.webm", "over the limit of 8192x8192"),
    Hostile("too-long", _too_long, "long.mkv", f"over the limit of {MAX_DURATION_SECONDS} s"),
]


@pytest.mark.parametrize("case", HOSTILE, ids=lambda case: case.name)
async def test_hostile_media_fails_with_a_reason_and_never_a_server_error(
    client: httpx.AsyncClient, alice: Account, worker: ServiceProcess, case: Hostile
) -> None:
    created = await upload(client, alice, case.make(), case.filename)
    assert created.status_code == 201, created.text
    video = await wait_until_processed(client, alice, created.json()["id"], worker)

    assert video["status"] == "failed", worker.log_text()
    reason = video["processing_error"]
    assert reason and case.reason in reason
    assert "Traceback" not in reason
    assert video["poster_url"] is None
    assert video["playback_url"] is None
    base = f"/api/v1/videos/{video['id']}"
    for part in ("poster", "storyboard", "storyboard/sprite", "playback"):
        response = await client.get(f"{base}/{part}", headers=alice.headers)
        assert response.status_code == 409, (part, response.text)
    playback = await client.get(f"{base}/playback", headers=alice.headers)
    assert reason in playback.json()["detail"]
    original = await client.get(f"{base}/stream", headers=alice.headers)
    assert original.status_code == 200  # the original stays downloadable
    assert worker.process.poll() is None  # the worker survived
