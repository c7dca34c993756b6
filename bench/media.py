"""Media processing figures (issue 11): `python media.py` (part of make bench).

For each engine, a fresh database and API (production settings, as run.py),
real videos made with PyAV (media_inputs.py) uploaded through the API, then:

1. probe plus poster of a phone-like 1 GiB H.264 MP4 (moov at the end) and
   of a 64 MiB one of the same kind, each run in its own process through the
   worker's own code (media_probe.py): bytes read from GridFS, counted at the
   storage layer, and time.
2. transcode throughput of a 720p AVI (MPEG-4 Part 2 + MP3): the worker's
   child process (`python -m vidvault.media.child`, reading the original from
   GridFS) against Debian's `ffmpeg` reading the same file from disk with the
   same settings (libx264 veryfast, CRF 23, High profile, yuv420p; AAC
   128 kbit/s stereo; moov in front), one after the other in each run. Each
   is timed as a whole process, start-up included; both use every core.
   Skipped, with a message, where `ffmpeg` is not installed; persistent
   default only (it reads 20 MiB; the rest is the codecs' work).
3. with a real worker (`vidvault-worker`, default settings, nice 10) running:
   a single stream of a 256 MiB video and 64 KiB seeks at 0/50/99% of it,
   first idle, then while the worker transcodes a 1080p AVI; and the peak
   resident memory of the worker with its media child during that transcode.

Results: results-media.json and .md beside this file (or --out).
"""

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import av
import media_inputs
from bson import ObjectId
from procs import (
    BACKEND,
    Service,
    TreeRssWatch,
    run_child,
    start_api,
    start_database,
    start_worker,
)
from pymongo import MongoClient
from report import ENGINES
from run import DB_NAME, _account, delete, loadgen, log, upload
from summary import Figures, Target, configure, options, repeated, skipped, started, write
from wire import multipart_file, request

MIB = 1024 * 1024
GIB = 1024 * MIB
CHUNK_SIZE = MIB  # the default GRIDFS_CHUNK_SIZE
FFMPEG = shutil.which("ffmpeg")
# The worker's settings (media/playback.py), spelled for the ffmpeg command line.
FFMPEG_SETTINGS = [
    *("-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high"),
    *("-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-ac", "2"),
    *("-movflags", "+faststart"),
]
WAIT_SECONDS = 600  # the longest any step may take before the bench gives up

TARGETS = {
    "probe_big_bytes": Target("<= 32 MiB read from GridFS", lambda v: v <= 32),
    "probe_big_seconds": Target("<= 3 s", lambda v: v <= 3),
    "probe_growth": Target("1 GiB / 64 MiB time <= 1.5x", lambda v: v <= 1.5),
    "transcode_ratio": Target(">= 0.8x the ffmpeg CLI's", lambda v: v >= 0.8),
    "busy_seek_p50": Target("<= 50 ms at every offset", lambda v: v <= 50),
    "busy_stream_ratio": Target(">= 0.5x idle", lambda v: v >= 0.5),
    "transcode_rss": Target("< 400 MiB", lambda v: v < 400),
}
NAMES = {
    "probe_big_bytes": "probe + poster, 1 GiB MP4: read from GridFS",
    "probe_big_seconds": "probe + poster, 1 GiB MP4: time",
    "probe_big_to_ffmpeg": "probe + poster, 1 GiB MP4: bytes handed to FFmpeg",
    "probe_small_bytes": "probe + poster, 64 MiB MP4: read from GridFS",
    "probe_small_seconds": "probe + poster, 64 MiB MP4: time",
    "probe_growth": "probe + poster time, 1 GiB / 64 MiB",
    "inspect_big_seconds": "whole inspect step (+ storyboard), 1 GiB MP4: time",
    "inspect_big_bytes": "whole inspect step (+ storyboard), 1 GiB MP4: read from GridFS",
    "transcode_ours": "transcode 720p: worker's child (x realtime)",
    "transcode_ours_steady": "transcode 720p: worker's child after start-up (x realtime)",
    "transcode_ffmpeg": "transcode 720p: ffmpeg CLI (x realtime)",
    "transcode_ratio": "transcode throughput, ours / ffmpeg (whole processes)",
    "transcode_steady_ratio": "transcode throughput, ours after start-up / ffmpeg",
    "idle_stream": "single stream, worker idle",
    "busy_stream": "single stream, while transcoding 1080p",
    "busy_stream_ratio": "single stream while transcoding / idle",
    "idle_seek_p50": "64 KiB seek p50 (worst offset), worker idle",
    "busy_seek_p50": "64 KiB seek p50 (worst offset), while transcoding",
    "transcode_rss": "worker + media child peak RSS, transcoding 1080p",
    "processing_rss": "worker + media child peak RSS, whole processing of the 1080p video",
    "busy_transcode_seconds": "1080p transcode in the worker, wall time",
    "busy_throughout": "the transcode still ran when the busy figures ended",
}


TRANSCODE_KEYS = (
    "transcode_ours",
    "transcode_ours_steady",
    "transcode_ffmpeg",
    "transcode_ratio",
    "transcode_steady_ratio",
)


@dataclass(frozen=True)
class Config:
    engines: list[str]
    big_bytes: int
    small_bytes: int
    transcode_seconds: float  # the 720p input
    busy_seconds: float  # the 1080p input
    stream_bytes: int
    seek_runs: int
    reps: int


FULL = Config(
    engines=["sqlite", "memory"],
    big_bytes=GIB,
    small_bytes=64 * MIB,
    transcode_seconds=20,
    busy_seconds=20,
    stream_bytes=256 * MIB,
    seek_runs=20,
    reps=3,
)
QUICK = Config(
    engines=["sqlite", "memory"],
    big_bytes=32 * MIB,
    small_bytes=8 * MIB,
    transcode_seconds=2,
    busy_seconds=6,
    stream_bytes=16 * MIB,
    seek_runs=3,
    reps=1,
)


@dataclass(frozen=True)
class Inputs:
    small: Path
    big: Path
    transcode: Path  # 720p
    busy: Path  # 1080p
    described: dict[str, Any]


def make_inputs(config: Config, directory: Path) -> Inputs:
    log("encoding the input videos with PyAV")
    inputs = Inputs(
        directory / "phone-small.mp4",
        directory / "phone-big.mp4",
        directory / "camcorder-720p.avi",
        directory / "camcorder-1080p.avi",
        {},
    )
    described = {
        "phone_small": media_inputs.phone_mp4(inputs.small, config.small_bytes, directory),
        "phone_big": media_inputs.phone_mp4(inputs.big, config.big_bytes, directory),
        "transcode_720p": media_inputs.avi_clip(
            inputs.transcode, config.transcode_seconds, 1280, 720
        ),
        "busy_1080p": media_inputs.avi_clip(inputs.busy, config.busy_seconds, 1920, 1080),
    }
    return replace(inputs, described=described)


async def _upload_file(port: int, token: str, path: Path, content_type: str) -> dict[str, Any]:
    form_type, length, body = multipart_file(path, content_type)
    headers = {"authorization": f"Bearer {token}", "content-type": form_type}
    reply = await request(
        port, "POST", "/api/v1/videos", headers, body, body_length=length, keep_body=True
    )
    if reply.status != 201:
        raise RuntimeError(f"upload of {path.name} answered {reply.status}: {reply.body[:300]!r}")
    video: dict[str, Any] = json.loads(reply.body)
    return video


def upload_file(api: Service, token: str, path: Path, content_type: str) -> dict[str, Any]:
    return asyncio.run(_upload_file(api.port, token, path, content_type))


def _probe_spec(db_url: str, video: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": db_url,
        "db": DB_NAME,
        "file_id": video["id"],  # a video's id is its original file's
        "chunk_size": CHUNK_SIZE,
        "size": video["size"],
        "content_type": video["content_type"],
    }


def probe_figures(config: Config, api: Service, db_url: str, token: str, inputs: Inputs) -> Figures:
    sizes = f"{config.small_bytes // MIB} MiB and {config.big_bytes // MIB} MiB"
    log(f"probe + poster: uploading the {sizes} MP4s")
    small = upload_file(api, token, inputs.small, "video/mp4")
    big = upload_file(api, token, inputs.big, "video/mp4")
    runs: dict[str, list[dict[str, Any]]] = {"small": [], "big": []}
    for rep in range(config.reps):
        log(f"probe + poster, run {rep + 1}/{config.reps}")
        for label, video in (("small", small), ("big", big)):
            spec = _probe_spec(db_url, video) | {"inspect": label == "big" and rep == 0}
            runs[label].append(run_child("media_probe.py", json.dumps(spec)))
    for video in (small, big):
        delete(api, token, video["id"])
    _check_probe(runs["big"][0], inputs.described["phone_big"])
    big_runs, small_runs = runs["big"], runs["small"]
    inspect = big_runs[0]["inspect"]
    return {
        "probe_big_bytes": repeated(
            [r["gridfs_bytes"] / MIB for r in big_runs], "MiB", TARGETS["probe_big_bytes"]
        ),
        "probe_big_seconds": repeated(
            [r["seconds"] for r in big_runs], "s", TARGETS["probe_big_seconds"]
        ),
        "probe_big_to_ffmpeg": repeated([r["bytes_to_ffmpeg"] / MIB for r in big_runs], "MiB"),
        "probe_small_bytes": repeated([r["gridfs_bytes"] / MIB for r in small_runs], "MiB"),
        "probe_small_seconds": repeated([r["seconds"] for r in small_runs], "s"),
        "probe_growth": repeated(
            [b["seconds"] / s["seconds"] for b, s in zip(big_runs, small_runs, strict=True)],
            "x",
            TARGETS["probe_growth"],
        ),
        "inspect_big_seconds": repeated([inspect["seconds"]], "s"),
        "inspect_big_bytes": repeated([inspect["gridfs_bytes"] / MIB], "MiB"),
    }


def _check_probe(found: dict[str, Any], made: dict[str, Any]) -> None:
    """The figures count only if the product read the file right."""
    if abs(found["duration_seconds"] - made["seconds"]) > 0.5 or found["video_codec"] != "h264":
        raise RuntimeError(f"the probe found {found}, the file is {made}")


@dataclass(frozen=True)
class Transcoded:
    seconds: float  # the whole process, start to exit
    # From its first progress report (start-up, connection and probe done) to its
    # answer, and the share of the video transcoded in that time.
    steady_seconds: float
    steady_share: float


def _ours(db_url: str, video: dict[str, Any], workdir: Path) -> Transcoded:
    """The worker's child transcoding the stored original."""
    task = {
        "step": "transcode",
        "file_id": video["id"],
        "chunk_size": CHUNK_SIZE,
        "size": video["size"],
        "content_type": video["content_type"],
        "workdir": str(workdir),
        "max_duration_seconds": 6 * 3600,
    }
    env = os.environ | {"MONGODB_URL": db_url, "MONGODB_DB": DB_NAME}
    command = [str(BACKEND / ".venv" / "bin" / "python"), "-m", "vidvault.media.child"]
    started_at = time.perf_counter()
    # stdin stays open: the child stops when it closes (its worker died).
    child = subprocess.Popen(  # noqa: S603 (our own command line)
        [*command, json.dumps(task)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    assert child.stdout is not None
    lines, first = [], None
    for line in child.stdout:  # one JSON object per line: progress, then the answer
        lines.append(line.decode())
        if first is None and "progress" in json.loads(line):
            first = (time.perf_counter(), json.loads(line)["progress"])
    answered_at = time.perf_counter()
    child.wait(WAIT_SECONDS)
    seconds = time.perf_counter() - started_at
    assert child.stdin is not None
    child.stdin.close()
    answer = json.loads(lines[-1]) if lines else {}
    # As the worker does, the answer counts, not the exit status: the child's
    # stdin watcher thread can make its interpreter abort at exit (SIGABRT).
    if "transcoded" not in answer:
        raise RuntimeError(f"the transcode failed ({child.returncode}): {answer}")
    steady_from, done = first if first is not None else (started_at, 0.0)
    return Transcoded(seconds, answered_at - steady_from, 1.0 - done)


def _ffmpeg(ffmpeg: str, source: Path, workdir: Path) -> float:
    started_at = time.perf_counter()
    subprocess.run(  # noqa: S603 (our own command line)
        [
            ffmpeg,
            "-nostdin",
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(source),
            *FFMPEG_SETTINGS,
            str(workdir / "ffmpeg.mp4"),
        ],
        check=True,
        timeout=WAIT_SECONDS,
    )
    return time.perf_counter() - started_at


def transcode_figures(
    config: Config, api: Service, db_url: str, token: str, inputs: Inputs
) -> Figures:
    if FFMPEG is None:
        reason = "ffmpeg is not installed (apt-get install ffmpeg, for the bench only)"
        log(f"transcode throughput: {reason}")
        return {key: skipped(reason) for key in TRANSCODE_KEYS}
    video = upload_file(api, token, inputs.transcode, "video/x-msvideo")
    seconds = inputs.described["transcode_720p"]["seconds"]
    ours, steady, theirs = [], [], []
    with tempfile.TemporaryDirectory(prefix="vidvault-bench-transcode-") as workdir:
        for rep in range(config.reps):
            log(f"transcode 720p, ours then ffmpeg, run {rep + 1}/{config.reps}")
            transcoded = _ours(db_url, video, Path(workdir))
            ours.append(seconds / transcoded.seconds)
            steady.append(seconds * transcoded.steady_share / transcoded.steady_seconds)
            theirs.append(seconds / _ffmpeg(FFMPEG, inputs.transcode, Path(workdir)))
    delete(api, token, video["id"])
    return {
        "transcode_ours": repeated(ours, "x"),
        "transcode_ours_steady": repeated(steady, "x"),
        "transcode_steady_ratio": repeated(
            [a / b for a, b in zip(steady, theirs, strict=True)], "x"
        ),
        "transcode_ffmpeg": repeated(theirs, "x"),
        "transcode_ratio": repeated(
            [a / b for a, b in zip(ours, theirs, strict=True)], "x", TARGETS["transcode_ratio"]
        ),
    }


class Jobs:
    """Reads the jobs and videos collections: what the worker is doing."""

    def __init__(self, db_url: str) -> None:
        self.client: MongoClient[dict[str, Any]] = MongoClient(db_url)
        self.db = self.client[DB_NAME]

    def transcoding(self, video_id: str) -> bool:
        query = {"video_id": ObjectId(video_id), "step": "transcode", "state": "running"}
        return self.db["jobs"].find_one(query) is not None

    def status(self, video_id: str) -> str:
        video = self.db["videos"].find_one({"_id": ObjectId(video_id)}, {"status": True})
        assert video is not None
        return str(video["status"])

    def wait(self, what: str, done: Any) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not done():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what}: not within {WAIT_SECONDS} s")
            time.sleep(0.05)


def _stream_and_seek(api: Service, video: dict[str, Any], config: Config) -> tuple[float, float]:
    """One stream's MB/s, then the worst offset's p50 of 64 KiB seeks (ms)."""
    path = video["stream_url"]
    stream = loadgen({"scenario": "stream", "port": api.port, "path": path, "clients": 1})
    target = {"label": "stream file", "path": path, "size": video["size"]}
    seeks = loadgen(
        {
            "scenario": "seek",
            "port": api.port,
            "targets": [target],
            "offsets": [0.0, 0.5, 0.99],
            "runs": config.seek_runs,
            "range_bytes": 64 * 1024,
        }
    )
    if stream["errors"]:
        raise RuntimeError(f"the stream failed: {stream['error_detail']}")
    return stream["mb_per_s"], max(point["p50_ms"] for point in seeks.values())


def busy_figures(
    config: Config, engine: str, api: Service, db_url: str, token: str, inputs: Inputs, out: Path
) -> Figures:
    log(f"streaming beside a worker: uploading the {config.stream_bytes // MIB} MiB stream file")
    stream_video = upload(api, token, config.stream_bytes)["video"]
    worker = start_worker(db_url, DB_NAME, CHUNK_SIZE, out / f"worker-{engine}.log")
    jobs = Jobs(db_url)
    runs: dict[str, list[float]] = {}
    try:
        # Its own inspect job fails at once (random bytes): the worker is idle after it.
        jobs.wait(
            "the stream file's processing", lambda: jobs.status(stream_video["id"]) != "processing"
        )
        for rep in range(config.reps):
            log(
                f"streams and seeks, idle then while transcoding 1080p, run {rep + 1}/{config.reps}"
            )
            figures = _busy_run(config, api, token, inputs, stream_video, worker, jobs)
            for key, value in figures.items():
                runs.setdefault(key, []).append(value)
    finally:
        worker.stop()
        jobs.client.close()
    ratios = [b / i for b, i in zip(runs["busy_stream"], runs["idle_stream"], strict=True)]
    throughout = all(runs["busy_throughout"])  # else the busy figures are not what they say
    return {
        "busy_throughout": repeated(runs["busy_throughout"], "(1: yes)") | {"met": throughout},
        "idle_stream": repeated(runs["idle_stream"], "MB/s"),
        "busy_stream": repeated(runs["busy_stream"], "MB/s"),
        "busy_stream_ratio": _unless(
            throughout, repeated(ratios, "x", TARGETS["busy_stream_ratio"])
        ),
        "idle_seek_p50": repeated(runs["idle_seek_p50"], "ms"),
        "busy_seek_p50": _unless(
            throughout, repeated(runs["busy_seek_p50"], "ms", TARGETS["busy_seek_p50"])
        ),
        "transcode_rss": repeated(runs["transcode_rss"], "MiB", TARGETS["transcode_rss"]),
        "processing_rss": repeated(runs["processing_rss"], "MiB"),
        "busy_transcode_seconds": repeated(runs["busy_transcode_seconds"], "s"),
    }


def _unless(valid: bool, figure: dict[str, Any]) -> dict[str, Any]:
    return figure if valid else figure | {"met": False}


def _busy_run(
    config: Config,
    api: Service,
    token: str,
    inputs: Inputs,
    stream_video: dict[str, Any],
    worker: Service,
    jobs: Jobs,
) -> dict[str, float]:
    idle_stream, idle_seek = _stream_and_seek(api, stream_video, config)
    with TreeRssWatch(worker.pid) as processing:
        video = upload_file(api, token, inputs.busy, "video/x-msvideo")
        jobs.wait("the 1080p transcode's start", lambda: jobs.transcoding(video["id"]))
        began = time.perf_counter()
        with TreeRssWatch(worker.pid) as transcoding:
            busy_stream, busy_seek = _stream_and_seek(api, stream_video, config)
            throughout = jobs.transcoding(video["id"])
            if not throughout:
                log("the transcode ended before the busy figures did: --busy-seconds longer")
            jobs.wait("the 1080p transcode", lambda: jobs.status(video["id"]) != "processing")
        seconds = time.perf_counter() - began
    if jobs.status(video["id"]) != "ready":
        raise RuntimeError(f"the 1080p video was not processed; see {worker.log.name}")
    delete(api, token, video["id"])
    return {
        "idle_stream": idle_stream,
        "busy_stream": busy_stream,
        "idle_seek_p50": idle_seek,
        "busy_seek_p50": busy_seek,
        "transcode_rss": transcoding.peak_mib,
        "processing_rss": processing.peak_mib,
        "busy_transcode_seconds": seconds,
        "busy_throughout": float(throughout),
    }


def measure(config: Config, engine: str, inputs: Inputs, out: Path, data: Path) -> Figures:
    database = start_database(engine, data / engine / "vidvault.sqlite3")
    api: Service | None = None
    try:
        api = start_api(database.url, DB_NAME, CHUNK_SIZE, out / f"api-media-{engine}.log")
        token = asyncio.run(_account(api.port))
        figures: Figures = {}
        figures |= probe_figures(config, api, database.url, token, inputs)
        if engine == "memory":
            reason = "the codecs' work, the same on every engine: see the persistent default"
            figures |= {key: skipped(reason) for key in TRANSCODE_KEYS}
        else:
            figures |= transcode_figures(config, api, database.url, token, inputs)
        figures |= busy_figures(config, engine, api, database.url, token, inputs, out)
        return figures
    finally:
        if api is not None:
            api.stop()
        database.stop()


def _versions() -> dict[str, str]:
    versions = {"pyav": av.__version__, "pyav_ffmpeg": av.ffmpeg_version_info}
    if FFMPEG is not None:
        first = subprocess.run([FFMPEG, "-version"], capture_output=True, text=True, check=True)  # noqa: S603
        versions["ffmpeg_cli"] = first.stdout.splitlines()[0]
    return versions


NOTES = """How each figure is taken:
- Probe + poster: the worker's code (`StoredFileReader` over `FileStorage.read_range`, then
  `probe.open_input`, `probe.probe`, `frames.poster`) in a process of its own per run, timed
  from the first read to the encoded poster, with the database connection already open.
  "Read from GridFS" counts the chunk bytes every range query returned (a 256 KiB block read
  costs a whole 1 MiB chunk); "handed to FFmpeg" is what the reader passed on. The whole
  inspect step (with the storyboard's ~100 frames) is timed once, for context.
- Transcode: x realtime = seconds of video per second of wall time, for each whole process
  (our child reads the original from GridFS; ffmpeg reads the file from disk); the target is
  judged on whole processes. "After start-up" times our child from its first progress
  report (Python and PyAV loaded, database connected, the input probed) to its answer, over
  the part of the video left then.
- While transcoding: the worker is `vidvault-worker` with its default settings (one job at a
  time, nice 10). Idle figures are taken right before the 1080p video is uploaded, busy ones
  once its transcode job is running; the bench checks that it still runs when they end. RSS
  is the sum over the worker and its children, sampled every 20 ms.
"""


def _described(inputs: dict[str, Any], versions: dict[str, str]) -> str:
    lines = ["", "Inputs (made by media_inputs.py for this run):"]
    for name, made in inputs.items():
        rate = made["bytes"] * 8 / made["seconds"] / 1e6
        size = made["bytes"] / MIB
        lines.append(
            f"- {name}: {made['kind']}; {size:.0f} MiB, {made['seconds']} s, {rate:.1f} Mbit/s"
        )
    lines.append("")
    lines.append("Versions: " + "; ".join(f"{k} {v}" for k, v in versions.items()))
    return "\n".join(lines) + "\n"


def _sizes(args: Any) -> dict[str, Any]:
    def mib(value: int | None) -> int | None:
        return value * MIB if value else None

    return {
        "big_bytes": mib(args.big_mib),
        "small_bytes": mib(args.small_mib),
        "stream_bytes": mib(args.stream_mib),
        "busy_seconds": args.busy_seconds,
    }


def main() -> None:
    parser = options(__doc__.splitlines()[0])
    parser.add_argument("--big-mib", type=int, help="the large MP4 (default 1024)")
    parser.add_argument("--small-mib", type=int, help="the small MP4 (default 64)")
    parser.add_argument("--stream-mib", type=int, help="the streamed video (default 256)")
    parser.add_argument("--busy-seconds", type=float, help="the 1080p clip (default 20)")
    args, config = configure(parser, FULL, QUICK, _sizes)
    start = started()
    data = Path(tempfile.mkdtemp(prefix="vidvault-bench-media-"))  # the machine's disk
    try:
        inputs = make_inputs(config, data)
        figures = {}
        for engine in config.engines:
            log(f"media, {ENGINES[engine]}")
            figures[engine] = measure(config, engine, inputs, args.out, data)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    results = {
        "started": start,
        "config": config.__dict__,
        "inputs": inputs.described,
        "versions": _versions(),
        "figures": figures,
    }
    notes = NOTES + _described(inputs.described, results["versions"])
    write(args.out, "media", "Media processing (issue 11)", results, NAMES, TARGETS, notes)


if __name__ == "__main__":
    main()
