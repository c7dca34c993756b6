"""Search and share revocation figures (issue 15): `python search.py` (part of make bench).

For each engine, a fresh database and two API replicas on it (production
settings, one SECRET_KEY, as two pods of one deployment):

1. search: one user's library of 10,000 videos, inserted in batches with the
   app's own model (`Video` documents with the search fields its upload path
   writes: `search_fields(title)`), varied titles in several languages. Then
   `GET /api/v1/videos?q=...` for a rotation of queries (a full word, word
   prefixes, accent and case variants, two words, no hits), one after the
   other, first idle, then while the load generator runs 16 streams (a round
   of streams is started again until enough searches are timed). Every
   answer is checked against the titles: a fast wrong answer counts for
   nothing.
2. revocation: a player plays a shared video through the share URL on
   replica A, range after range; the owner revokes the share through replica
   B; the time from the revocation request until A refuses (404), and
   whether any range asked after the revocation was answered, over several
   revocations (a new share each).

Results: results-search.json and .md beside this file (or --out).
"""

import asyncio
import json
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from beanie import PydanticObjectId, init_beanie
from loadgen import percentile
from procs import BENCH, Service, start_api, start_database
from pymongo import AsyncMongoClient
from report import ENGINES
from run import DB_NAME, _account, log, upload
from summary import Figures, Target, configure, options, repeated, started, write
from wire import request

from vidvault.videos.models import Video, VideoStatus
from vidvault.videos.search import query_terms, search_fields, title_terms

MIB = 1024 * 1024
CHUNK_SIZE = MIB
INSERT_BATCH = 500
SEARCH_INTERVAL = 0.02  # seconds between two searches: a debounced search box, typed fast
# A run under load stops starting rounds of streams after this long, whatever
# the count: where a search takes a second, 60 s of them already say so.
LOAD_RUN_SECONDS = 60.0
IDLE_SECONDS = 30.0
PLAY_RANGE = 256 * 1024
REVOKE_AFTER_RANGES = 10
REFUSAL_WAIT_SECONDS = 10.0

TARGETS = {
    "search_p99_load": Target("p99 < 50 ms under 16 streams", lambda v: v < 50),
    "revocation_seconds": Target("< 1 s, on the other replica", lambda v: v < 1),
    "ranges_after_revocation": Target("0: the next range fails", lambda v: v == 0),
}
NAMES = {
    "library_insert_s": "library inserted (Beanie, batches of 500)",
    "upload_empty_s": "1 MiB upload, empty library",
    "upload_full_s": "1 MiB upload, library inserted",
    "search_p50_idle": "search p50, idle",
    "search_p99_idle": "search p99, idle",
    "search_p50_load": "search p50, 16 streams running",
    "search_p99_load": "search p99, 16 streams running",
    "search_count_load": "searches timed per run under load",
    "streams_mb_s": "16 streams aggregate, while searching",
    "revocation_seconds": "revoked share: revoke on B until A answers 404",
    "ranges_after_revocation": "ranges asked after the revocation was acknowledged, answered",
}

EVENTS = [
    "beach day", "birthday party", "school play", "wedding", "first steps", "hike",
    "Christmas at grandma's", "ski trip", "graduation", "soccer match", "piano recital",
    "camping", "Fête de la musique", "spectacle de fin d'année", "anniversaire", "pique-nique",
    "vendanges", "Geburtstag", "cumpleaños", "sledging", "fireworks", "bike ride",
]  # fmt: skip
PLACES = [
    "Nîmes", "Biarritz", "Zürich", "São Paulo", "Kraków", "Malmö", "Český Krumlov",
    "Côte d'Azur", "Reykjavík", "Lisbon", "Brooklyn", "Sevilla", "Ærøskøbing", "the lake",
    "grandma's garden", "Île de Ré",
]  # fmt: skip
NAMES_OF_PEOPLE = [
    "Léa", "Noé", "Chloé", "José", "Zoë", "Anaïs", "Björn", "Emma", "Lucas", "Inès", "Mateo",
    "Amélie", "Grandma", "Dad",
]  # fmt: skip
# Full word, prefixes, accent and case variants, two words, a year, no hits.
QUERIES = [
    "beach", "bir", "ÉCOLE", "ecole", "nimes", "NÎMES", "zurich 2019", "grandma christmas",
    "spec", "léa", "LEA", "2021", "fete musique", "krakow", "vid", "xylophone",
]  # fmt: skip


def _title(rng: random.Random) -> str:
    event, place = rng.choice(EVENTS), rng.choice(PLACES)
    name, other = rng.sample(NAMES_OF_PEOPLE, 2)
    year = rng.randint(2008, 2024)
    day = datetime(year, 1, 1) + timedelta(seconds=rng.randrange(365 * 86400))
    forms = [
        f"{event.capitalize()} at {place} {year}",
        f"{name}'s {event}",
        f"{event.capitalize()} {year} (part {rng.randint(1, 4)})",
        f"IMG_{rng.randint(1000, 9999)}",
        f"VID_{day:%Y%m%d_%H%M%S}",
        f"{place} — {event} {year}",
        f"{name} & {other} — {event}",
        f"École {place}: {event}",
    ]
    return rng.choice(forms)


def library(owner_id: PydanticObjectId, count: int, seed: int = 15) -> list[Video]:
    """`count` videos as the upload path writes them, once processed, over 16 years."""
    rng = random.Random(seed)  # noqa: S311 (titles, not secrets)
    newest = datetime(2024, 12, 31, tzinfo=UTC)
    videos = []
    for _ in range(count):
        title = _title(rng)
        file_id = PydanticObjectId()
        duration = round(rng.uniform(3, 900), 3)
        videos.append(
            Video(
                id=file_id,  # a video's id is its original file's
                owner_id=owner_id,
                file_id=file_id,
                title=title,
                filename=f"{title[:40]}.mp4",
                content_type="video/mp4",
                size=int(duration * rng.uniform(1e6, 3e6)),
                chunk_size=CHUNK_SIZE,
                created_at=newest - timedelta(seconds=rng.randrange(16 * 365 * 86400)),
                **search_fields(title),
                status=VideoStatus.READY,
                progress=100,
                container="mp4",
                video_codec="h264",
                audio_codec="aac",
                duration_seconds=duration,
                width=1920,
                height=1080,
                frame_rate=30.0,
                bit_rate=16_000_000,
                plays_in_browsers=True,
            )
        )
    return videos


def expected_counts(titles: list[str]) -> dict[str, int]:
    stored = [set(title_terms(title)) for title in titles]
    return {q: sum(1 for terms in stored if set(query_terms(q)) <= terms) for q in QUERIES}


async def insert_library(db_url: str, owner_id: str, count: int) -> tuple[float, dict[str, int]]:
    """Seconds to insert the library, and how many titles each query should match."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(db_url, tz_aware=True)
    try:
        await init_beanie(database=client[DB_NAME], document_models=[Video])
        videos = library(PydanticObjectId(owner_id), count)
        started_at = time.perf_counter()
        for start in range(0, len(videos), INSERT_BATCH):
            await Video.insert_many(videos[start : start + INSERT_BATCH])
        seconds = time.perf_counter() - started_at
    finally:
        await client.close()
    return seconds, expected_counts([video.title for video in videos])


@dataclass
class Searcher:
    port: int
    token: str
    expected: dict[str, int]
    limit: int = 20

    async def search(self, query: str) -> float:
        """One search, checked; its latency in ms."""
        path = f"/api/v1/videos?limit={self.limit}&q={urllib.parse.quote(query)}"
        headers = {"authorization": f"Bearer {self.token}"}
        reply = await request(self.port, "GET", path, headers, keep_body=True)
        if reply.status != 200:
            raise RuntimeError(f"search {query!r} answered {reply.status}")
        found = len(json.loads(reply.body)["items"])
        if found != min(self.limit, self.expected[query]):
            raise RuntimeError(f"search {query!r}: {found} videos, expected {self.expected[query]}")
        return reply.seconds * 1000

    async def rotation(self, count: int, within: float = float("inf")) -> list[float]:
        """`count` searches in rotation, or fewer if `within` seconds pass first."""
        deadline = time.perf_counter() + within
        latencies: list[float] = []
        while len(latencies) < count and time.perf_counter() < deadline:
            latencies.append(await self.search(QUERIES[len(latencies) % len(QUERIES)]))
        return latencies

    async def under_load(self, stream_path: str, samples: int) -> tuple[list[float], float]:
        """Searches while 16 streams run, in rounds until `samples` or LOAD_RUN_SECONDS;
        and the streams' MB/s."""
        latencies: list[float] = []
        rates = []
        deadline = time.perf_counter() + LOAD_RUN_SECONDS
        while len(latencies) < samples and time.perf_counter() < deadline:
            spec = {"scenario": "stream", "port": self.port, "path": stream_path, "clients": 16}
            load = await asyncio.create_subprocess_exec(
                sys.executable, str(BENCH / "loadgen.py"), json.dumps(spec),
                stdout=asyncio.subprocess.PIPE, cwd=BENCH,
            )  # fmt: skip
            answer = asyncio.ensure_future(load.communicate())
            await asyncio.wait([answer], timeout=0.5)  # the streams are under way
            while True:  # at least one search per round, however fast the streams end
                latencies.append(await self.search(QUERIES[len(latencies) % len(QUERIES)]))
                if answer.done():
                    break
                await asyncio.sleep(SEARCH_INTERVAL)
            stdout, _ = await answer
            streams = json.loads(stdout)
            if streams["errors"]:
                raise RuntimeError(f"streams failed: {streams['error_detail']}")
            rates.append(streams["mb_per_s"])
        return latencies, statistics.median(rates)


async def _json(
    port: int, method: str, path: str, token: str, body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    payload = json.dumps(body).encode() if body is not None else b""
    reply = await request(port, method, path, headers, payload, keep_body=True)
    return reply.status, json.loads(reply.body) if reply.body else None


async def owner_id_of(port: int, token: str) -> str:
    status, me = await _json(port, "GET", "/api/v1/users/me", token)
    if status != 200:
        raise RuntimeError(f"/users/me answered {status}")
    return str(me["id"])


@dataclass
class Revocation:
    seconds: float  # revocation request sent -> first 404 received on the other replica
    ranges_after: int  # ranges asked after the revocation was acknowledged, answered 206


async def _play(
    port: int, token: str, size: int, log_: list[tuple[float, int, float]], playing: asyncio.Event
) -> None:
    """Range after range through the share URL until refused (bounded); `playing` once under way."""
    path = f"/api/v1/shared/{token}/playback"
    position, deadline = 0, time.perf_counter() + 60
    while time.perf_counter() < deadline:
        end = min(position + PLAY_RANGE, size) - 1
        sent = time.perf_counter()
        reply = await request(port, "GET", path, {"range": f"bytes={position}-{end}"})
        log_.append((sent, reply.status, time.perf_counter()))
        if len(log_) >= REVOKE_AFTER_RANGES:
            playing.set()
        if reply.status == 404:
            return
        if reply.status != 206:
            raise RuntimeError(f"shared playback answered {reply.status}")
        position = 0 if end + 1 >= size else end + 1
    raise RuntimeError("the shared playback was never refused")


async def one_revocation(a: Service, b: Service, token: str, video: dict[str, Any]) -> Revocation:
    shares = f"/api/v1/videos/{video['id']}/shares"
    status, share = await _json(a.port, "POST", shares, token, {})
    if status != 201:
        raise RuntimeError(f"creating a share answered {status}")
    ranges: list[tuple[float, int, float]] = []
    playing = asyncio.Event()
    player = asyncio.ensure_future(_play(a.port, share["token"], video["size"], ranges, playing))
    under_way = asyncio.ensure_future(playing.wait())
    await asyncio.wait([player, under_way], return_when=asyncio.FIRST_COMPLETED)
    under_way.cancel()
    if player.done():
        player.result()  # it failed before the revocation: say why
        raise RuntimeError("the shared playback stopped before the revocation")
    revoked_at = time.perf_counter()
    status, _ = await _json(b.port, "DELETE", f"{shares}/{share['id']}", token)
    acknowledged_at = time.perf_counter()
    if status != 204:
        raise RuntimeError(f"revoking answered {status}")
    await asyncio.wait_for(player, REFUSAL_WAIT_SECONDS)
    refused_at = ranges[-1][2]
    late = sum(1 for sent, code, _ in ranges if sent > acknowledged_at and code == 206)
    return Revocation(refused_at - revoked_at, late)


@dataclass(frozen=True)
class Config:
    engines: list[str]
    videos: int
    stream_bytes: int
    idle_searches: int
    load_searches: int  # at least this many per run under load
    reps: int
    revocations: int


FULL = Config(["sqlite", "memory"], 10_000, 64 * MIB, 200, 300, 3, 5)
QUICK = Config(["sqlite", "memory"], 300, 16 * MIB, 32, 32, 1, 2)


async def _searches(
    config: Config, a: Service, token: str, expected: dict[str, int], video: dict[str, Any]
) -> Figures:
    stream_path = video["stream_url"]
    searcher = Searcher(a.port, token, expected)
    await searcher.rotation(len(QUERIES))  # warm: every query answered right once
    idle = await searcher.rotation(config.idle_searches, IDLE_SECONDS)
    runs: dict[str, list[float]] = {"p50": [], "p99": [], "count": [], "streams": []}
    for rep in range(config.reps):
        log(f"searches under 16 streams, run {rep + 1}/{config.reps}")
        latencies, rate = await searcher.under_load(stream_path, config.load_searches)
        runs["p50"].append(statistics.median(latencies))
        runs["p99"].append(percentile(latencies, 0.99))
        runs["count"].append(len(latencies))
        runs["streams"].append(rate)
    return {
        "search_p50_idle": repeated([statistics.median(idle)], "ms"),
        "search_p99_idle": repeated([percentile(idle, 0.99)], "ms"),
        "search_p50_load": repeated(runs["p50"], "ms"),
        "search_p99_load": repeated(runs["p99"], "ms", TARGETS["search_p99_load"]),
        "search_count_load": repeated(runs["count"], "searches"),
        "streams_mb_s": repeated(runs["streams"], "MB/s"),
    }


def _stream_video(api: Service, token: str, config: Config) -> dict[str, Any]:
    """The video the 16 streams and the shared player play."""
    video: dict[str, Any] = upload(api, token, config.stream_bytes)["video"]
    return video


async def _revocations(
    config: Config, a: Service, b: Service, token: str, video: dict[str, Any]
) -> Figures:
    revocations = []
    for rep in range(config.revocations):
        log(f"share revocation across replicas, {rep + 1}/{config.revocations}")
        revocations.append(await one_revocation(a, b, token, video))
    late = [float(r.ranges_after) for r in revocations]
    return {
        "revocation_seconds": repeated(
            [r.seconds for r in revocations], "s", TARGETS["revocation_seconds"]
        ),
        "ranges_after_revocation": repeated(late, "ranges") | {"met": not any(late)},
    }


async def _upload_seconds(api: Service, token: str) -> float:
    """One small upload through the API: the video's document is one insert."""
    seconds: float = (await asyncio.to_thread(upload, api, token, MIB))["seconds"]
    return seconds


def start_replicas(db_url: str, engine: str, out: Path, settings: dict[str, str]) -> list[Service]:
    """Two API processes on one database: replicas A and B of one deployment."""
    replicas: list[Service] = []
    try:
        for name in ("a", "b"):
            log_path = out / f"api-search-{engine}-{name}.log"
            replicas.append(start_api(db_url, DB_NAME, CHUNK_SIZE, log_path, settings))
    except BaseException:
        for replica in replicas:
            replica.stop()
        raise
    return replicas


async def _insert(
    api: Service, token: str, db_url: str, count: int
) -> tuple[float, dict[str, int]]:
    return await insert_library(db_url, await owner_id_of(api.port, token), count)


def measure(config: Config, engine: str, out: Path, data: Path) -> Figures:
    """One engine: the library inserted through the unchanged server, then everything timed."""
    # Two replicas of one deployment; every bench request comes from 127.0.0.1,
    # so the per-address limit of anonymous share requests is lifted.
    settings = {"SECRET_KEY": secrets.token_urlsafe(48), "SHARED_MAX_REQUESTS": "1000000"}
    database = start_database(engine, data / engine / "vidvault.sqlite3")
    replicas: list[Service] = []
    try:
        a, b = replicas = start_replicas(database.url, engine, out, settings)
        token = asyncio.run(_account(a.port))
        video = _stream_video(a, token, config)
        empty = asyncio.run(_upload_seconds(a, token))
        log(f"inserting {config.videos} videos")
        insert_seconds, expected = asyncio.run(_insert(a, token, database.url, config.videos))
        full = asyncio.run(_upload_seconds(a, token))
        figures = asyncio.run(_searches(config, a, token, expected, video))
        figures |= asyncio.run(_revocations(config, a, b, token, video))
    finally:
        for replica in replicas:
            replica.stop()
        database.stop()
    return figures | {
        "library_insert_s": repeated([insert_seconds], "s"),
        "upload_empty_s": repeated([empty], "s"),
        "upload_full_s": repeated([full], "s"),
    }


NOTES = f"""How each figure is taken:
- The library: {{videos}} `Video` documents of one user, built with the app's model and
  `search_fields(title)` (normalised title and word prefixes, as uploads and renames write
  them), status ready with probe fields set; titles from templates over events, places and
  names in several languages (seeded, so every run has the same library). Their original
  files are not stored: no list or search reads them (each video still has its own
  `file_id`, which is unique).
- The library is inserted through the unchanged server, on both engines: `videos` lives in
  the embedded server's document store (backend/scripts/embedded/doc_*.py), whose indexes
  answer a unique check with one probe. The two "1 MiB upload" rows show what a stored
  library costs a user's upload: the same upload into the empty library and with the
  library stored.
- Queries, in rotation: {", ".join(repr(q) for q in QUERIES)}; `limit` 20, newest first.
  Each answer's length is checked against the titles it should match.
- Under load: the load generator (its own process) streams a {{stream_mib}} MiB video to 16
  clients at once; searches follow one another {SEARCH_INTERVAL * 1000:.0f} ms apart until the
  streams end, in rounds until at least {{load_searches}} are timed or {LOAD_RUN_SECONDS:.0f} s
  have passed (idle: {{idle_searches}} searches or {IDLE_SECONDS:.0f} s). p99 is per run.
- Revocation: a new share per revocation; the player asks {PLAY_RANGE // 1024} KiB ranges on
  replica A back to back; after {REVOKE_AFTER_RANGES} ranges the owner revokes through
  replica B. Time from sending the revocation to receiving A's 404.
"""


def main() -> None:
    parser = options(__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, help="library size (default 10000)")
    parser.add_argument("--revocations", type=int, help="default 5")
    args, config = configure(
        parser,
        FULL,
        QUICK,
        lambda args: {"videos": args.videos, "revocations": args.revocations},
    )
    start = started()
    data = Path(tempfile.mkdtemp(prefix="vidvault-bench-search-"))
    try:
        figures = {}
        for engine in config.engines:
            log(f"search and shares, {ENGINES[engine]}")
            figures[engine] = measure(config, engine, args.out, data)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    notes = NOTES.format(
        videos=f"{config.videos:,}",
        stream_mib=config.stream_bytes // MIB,
        load_searches=config.load_searches,
        idle_searches=config.idle_searches,
    )
    results = {"started": start, "config": config.__dict__, "figures": figures}
    title = "Search and share revocation (issue 15)"
    write(args.out, "search", title, results, NAMES, TARGETS, notes)


if __name__ == "__main__":
    main()
