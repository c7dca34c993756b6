"""Vidvault benchmarks: `make bench` (scripts/bench.sh) runs this.

For each database engine (the embedded stand-in's memory engine, and the
persistent default that `make run` starts) and each GridFS chunk size it
starts a fresh database (its own process, data on the machine's disk) and a
fresh API (uvicorn, production settings, its own process), then measures
with the load generator and the raw driver, each in its own process, on the
same files for every engine:

1. raw driver read and write of the stream file (the floor);
2. one stream and 16 concurrent streams of that file through the API;
3. seeks: a 64 KiB range at 0%, 50%, 99% of three file sizes, after storing
   other videos (2 GiB in the full run) so the store is not empty;
4. one large upload (repeated), with the API's peak resident memory growth
   and the rate of each quarter of it;
5. the library list call while 16 streams and 2 uploads run;
6. persistent engine: a restart of database and API with everything stored,
   until /readyz answers 200.

It also times `dd` writing to the same disk with fsync: the physical limit.
Repeated figures are reported as the median and the spread (min-max).

Results go to results.json and results.md beside this file (or --out).
"""

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bson import ObjectId
from curl_client import curl_streams
from procs import (
    BENCH,
    Api,
    RssWatch,
    cpu_seconds,
    run_child,
    seconds_until_restarted,
    start_api,
    start_database,
)
from pymongo import MongoClient
from report import ENGINES, TARGETS, choose_chunk_size, write_markdown
from wire import request

MIB = 1024 * 1024
GIB = 1024 * MIB
DB_NAME = "vidvault_bench"
PASSWORD = "bench-password-123"
DD = shutil.which("dd") or "/bin/dd"


@dataclass(frozen=True)
class Config:
    engines: list[str]
    chunk_sizes: list[int]
    stream_bytes: int
    upload_bytes: int
    seek_sizes: list[int]
    seek_runs: int
    clients: int
    reps: int
    write_reps: int
    mixed_upload_bytes: int
    filler_bytes: int  # other videos stored before the seeks
    dd_bytes: int
    quick: bool

    def for_engine(self, engine: str) -> "Config":
        """No extra videos on the memory engine: its documents live in RAM and its chunk
        store in an unsynced scratch file (the page cache); on a shared machine that memory
        is not worth it, and its seeks no longer depend on the store's size (NOTES.md)."""
        return replace(self, filler_bytes=0) if engine == "memory" and not self.quick else self

    def for_chunk_size(self, chunk_size: int) -> "Config":
        """Smaller writes below 1 MiB chunks: 4x the documents per byte."""
        if self.quick or chunk_size >= MIB:
            return self
        return replace(
            self,
            upload_bytes=128 * MIB,
            seek_sizes=[16 * MIB, 64 * MIB, 256 * MIB],
            mixed_upload_bytes=32 * MIB,
        )


FULL = Config(
    engines=["sqlite", "memory"],  # the default first
    chunk_sizes=[MIB],  # the default; --chunk-sizes compares others (NOTES.md)
    stream_bytes=256 * MIB,
    upload_bytes=512 * MIB,
    seek_sizes=[16 * MIB, 256 * MIB, GIB],
    seek_runs=20,
    clients=16,
    reps=3,
    write_reps=3,
    mixed_upload_bytes=64 * MIB,
    filler_bytes=2 * GIB,
    dd_bytes=512 * MIB,
    quick=False,
)
QUICK = Config(
    engines=list(ENGINES),
    chunk_sizes=[64 * 1024],
    stream_bytes=4 * MIB,
    upload_bytes=4 * MIB,
    seek_sizes=[MIB, 4 * MIB, 8 * MIB],
    seek_runs=3,
    clients=4,
    reps=1,
    write_reps=1,
    mixed_upload_bytes=MIB,
    filler_bytes=4 * MIB,
    dd_bytes=4 * MIB,
    quick=True,
)
FILLER_PIECE = 512 * MIB


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def loadgen(spec: dict[str, Any]) -> Any:
    return run_child("loadgen.py", json.dumps(spec))


async def _account(port: int) -> str:
    email = f"bench-{os.urandom(4).hex()}@example.com"
    body = json.dumps({"email": email, "password": PASSWORD}).encode()
    created = await request(
        port, "POST", "/api/v1/auth/signup", {"content-type": "application/json"}, body
    )
    if created.status != 201:
        raise RuntimeError(f"signup answered {created.status}")
    form = f"username={email.replace('@', '%40')}&password={PASSWORD}".encode()
    headers = {"content-type": "application/x-www-form-urlencoded"}
    reply = await request(port, "POST", "/api/v1/auth/login", headers, form, keep_body=True)
    token: str = json.loads(reply.body)["access_token"]
    return token


def upload(api: Api, token: str, size: int) -> dict[str, Any]:
    result: dict[str, Any] = loadgen(
        {"scenario": "upload", "port": api.port, "token": token, "size": size}
    )
    return result


def file_id_of(mongodb_url: str, video_id: str) -> str:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_url)
    with client:
        video = client[DB_NAME]["videos"].find_one({"_id": ObjectId(video_id)})
        assert video is not None
        return str(video["file_id"])


def median_of(runs: list[dict[str, Any]], key: str = "mb_per_s") -> dict[str, Any]:
    """The median run, with the spread (min, max) and the count of the repeated figure."""
    ordered = sorted(runs, key=lambda run: float(run[key]))
    median = dict(ordered[len(ordered) // 2])
    median["spread"] = [ordered[0][key], ordered[-1][key]]
    median["reps"] = len(ordered)
    return median


def with_api_cpu(api: Api, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    before = cpu_seconds(api.pid)
    result = action()
    result["api_cpu_s_per_gib"] = (cpu_seconds(api.pid) - before) / (result["bytes"] / GIB)
    return result


def measure(config: Config, engine: str, chunk_size: int, out: Path, data: Path) -> dict[str, Any]:
    path = data / f"{engine}-{chunk_size}" / "vidvault.sqlite3"
    database = start_database(engine, path)
    log_path = out / f"api-{engine}-{chunk_size}.log"
    api: Api | None = None
    try:
        api = start_api(database.url, DB_NAME, chunk_size, log_path)
        config = config.for_engine(engine)
        figures = {"engine": engine, **_measure(config, chunk_size, database.url, api)}
        if engine != "memory":  # nothing survives a restart of the memory engine
            api.stop()
            database.stop()
            figures["restart"], database, api = seconds_until_restarted(
                engine, path, DB_NAME, chunk_size, log_path
            )
            figures["restart"]["store_gib"] = _bytes_under(path.parent) / GIB
        return figures
    finally:
        if api is not None:
            api.stop()
        database.stop()


def _bytes_under(directory: Path) -> int:
    return sum(file.stat().st_size for file in directory.iterdir() if file.is_file())


def disk_write(directory: Path, size: int, reps: int) -> dict[str, Any]:
    """`dd` writing `size` bytes with fsync, on the disk the databases use: the limit."""
    runs = []
    target = directory / "dd.bin"
    for _ in range(reps):
        started = time.perf_counter()
        command = [DD, "if=/dev/zero", f"of={target}", "bs=1M", f"count={size // MIB}"]
        subprocess.run([*command, "conv=fsync", "status=none"], check=True)  # noqa: S603
        runs.append({"mb_per_s": size / (time.perf_counter() - started) / 1e6})
        target.unlink()
    return {"bytes": size, **median_of(runs)}


def _measure(config: Config, chunk_size: int, db_url: str, api: Api) -> dict[str, Any]:
    # Every write figure is taken on an empty store, the raw write right next to
    # the API upload (until both engines kept chunks in the indexed chunk store,
    # the memory engine's writes slowed down as it filled; NOTES.md).
    token = asyncio.run(_account(api.port))
    config = config.for_chunk_size(chunk_size)
    figures: dict[str, Any] = {"chunk_size": chunk_size, "sizes": _sizes(config)}
    log("warm-up")
    warm = upload(api, token, 4 * MIB)
    warm_path = warm["video"]["stream_url"]
    loadgen({"scenario": "stream", "port": api.port, "path": warm_path, "clients": 2})
    delete(api, token, warm["video"]["id"])

    writes, uploads = [], []
    for rep in range(config.write_reps):
        log(f"raw driver write / upload {config.upload_bytes // MIB} MiB, rep {rep + 1}")
        writes.append(
            run_child(
                "raw_driver.py", "write", db_url, DB_NAME, str(config.upload_bytes), str(chunk_size)
            )
        )
        with RssWatch(api.pid) as rss:
            up = upload(api, token, config.upload_bytes)
        uploads.append(
            {
                "mb_per_s": up["mb_per_s"],
                "quarter_mb_per_s": up["quarter_mb_per_s"],
                "rss_growth_mib": rss.growth_mib,
                "rss_baseline_mib": rss.baseline / MIB,
            }
        )
        delete(api, token, up["video"]["id"])
    figures["raw_write"] = median_of(writes)
    figures["upload"] = median_of(uploads)
    figures["upload"]["rss_growth_mib"] = max(u["rss_growth_mib"] for u in uploads)
    figures["upload"]["last_to_first_quarter"] = median_of(
        [{"ratio": u["quarter_mb_per_s"][-1] / u["quarter_mb_per_s"][0]} for u in uploads], "ratio"
    )

    log("stream file")
    stored = {size: upload(api, token, size)["video"] for size in config.seek_sizes[:2]}
    if config.stream_bytes not in stored:
        stored[config.stream_bytes] = upload(api, token, config.stream_bytes)["video"]
    stream_path = stored[config.stream_bytes]["stream_url"]
    file_id = file_id_of(db_url, stored[config.stream_bytes]["id"])

    figures |= _streams(config, api, db_url, file_id, stream_path, chunk_size)

    log("list under load")
    figures["responsiveness"] = loadgen(
        {
            "scenario": "mixed",
            "port": api.port,
            "token": token,
            "path": stream_path,
            "clients": config.clients,
            "uploads": 2,
            "upload_size": config.mixed_upload_bytes,
            "list_interval": 0.05,
        }
    )

    log(f"other videos ({config.filler_bytes // MIB} MiB), seek files and seeks")
    for start in range(0, config.filler_bytes, FILLER_PIECE):
        upload(api, token, min(FILLER_PIECE, config.filler_bytes - start))
    for size in config.seek_sizes[2:]:
        late = upload(api, token, size)
        stored[size] = late["video"]
    quarters = late["quarter_mb_per_s"]
    figures["upload_full_store"] = {
        "bytes": config.seek_sizes[-1],
        "mb_per_s": late["mb_per_s"],
        "last_to_first_quarter": quarters[-1] / quarters[0],
    }
    targets = [
        {"label": _size_label(size), "path": stored[size]["stream_url"], "size": size}
        for size in config.seek_sizes
    ]
    figures["seek"] = loadgen(
        {
            "scenario": "seek",
            "port": api.port,
            "targets": targets,
            "offsets": [0.0, 0.5, 0.99],
            "runs": config.seek_runs,
            "range_bytes": 64 * 1024,
        }
    )
    return figures


def _streams(
    config: Config, api: Api, db_url: str, file_id: str, path: str, chunk_size: int
) -> dict[str, Any]:
    """Raw driver read, then 1 and N streams with both clients, each repeated, interleaved.

    Interleaving puts every client under the same background load; each
    figure is the median of its repetitions (targets are judged on it).
    """
    raw_read = ["raw_driver.py", "read", db_url, DB_NAME, file_id, str(chunk_size)]

    def own_client(count: int) -> dict[str, Any]:
        result: dict[str, Any] = loadgen(
            {"scenario": "stream", "port": api.port, "path": path, "clients": count}
        )
        return result

    def curl(count: int) -> dict[str, Any]:
        return curl_streams(api.port, path, count)

    clients: dict[str, Callable[[int], dict[str, Any]]] = {"loadgen": own_client, "curl": curl}
    runs: dict[str, list[dict[str, Any]]] = {"raw_read": []}
    for rep in range(config.reps):
        log(f"raw driver read, 1 and {config.clients} streams (loadgen, curl), rep {rep + 1}")
        runs["raw_read"].append(run_child(*raw_read))
        for client, streams in clients.items():
            for count, figure in ((1, "stream"), (config.clients, "streams")):
                run = with_api_cpu(api, lambda: streams(count))  # noqa: B023 (called at once)
                runs.setdefault(f"{figure}_{client}", []).append(run)
    figures = {name: _median_with_cpu(reps) for name, reps in runs.items()}
    figures["stream"], figures["streams"] = figures["stream_loadgen"], figures["streams_loadgen"]
    return figures


def _median_with_cpu(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median run by throughput; CPU per GiB is the median of its own, with its spread."""
    figure = median_of(runs)
    cpu_key = "cpu_s_per_gib" if "cpu_s_per_gib" in runs[0] else "api_cpu_s_per_gib"
    cpu = median_of(runs, cpu_key)
    figure[cpu_key], figure["cpu_spread"] = cpu[cpu_key], cpu["spread"]
    figure["errors"] = sum(run.get("errors", 0) for run in runs)
    return figure


def delete(api: Api, token: str, video_id: str) -> None:
    headers = {"authorization": f"Bearer {token}"}
    reply = asyncio.run(request(api.port, "DELETE", f"/api/v1/videos/{video_id}", headers))
    if reply.status != 204:
        raise RuntimeError(f"delete answered {reply.status}")


def _sizes(config: Config) -> dict[str, Any]:
    return {
        "stream": _size_label(config.stream_bytes),
        "upload": _size_label(config.upload_bytes),
        "seek": [_size_label(size) for size in config.seek_sizes],
        "uploads_under_load": _size_label(config.mixed_upload_bytes),
        "other_videos": _size_label(config.filler_bytes),
    }


def _size_label(size: int) -> str:
    return f"{size // GIB} GiB" if size >= GIB else f"{size // MIB} MiB"


def machine() -> dict[str, Any]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024**2, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Vidvault benchmarks")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: the smoke variant")
    parser.add_argument("--out", type=Path, default=BENCH, help="where results go")
    parser.add_argument("--chunk-sizes", help="comma-separated bytes, overrides the preset")
    parser.add_argument(
        "--engines", help=f"comma-separated, of {', '.join(ENGINES)} (default: all)"
    )
    args = parser.parse_args()
    config = QUICK if args.quick else FULL
    if args.chunk_sizes:
        sizes = [int(size) for size in args.chunk_sizes.split(",")]
        config = Config(**(asdict(config) | {"chunk_sizes": sizes}))
    if args.engines:
        engines = args.engines.split(",")
        if not set(engines) <= set(ENGINES):
            parser.error(f"--engines: choose from {', '.join(ENGINES)}")
        config = Config(**(asdict(config) | {"engines": engines}))
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    runs = {}
    data = Path(tempfile.mkdtemp(prefix="vidvault-bench-"))  # the machine's disk
    try:
        log(f"dd {config.dd_bytes // MIB} MiB with fsync into {data}")
        disk = disk_write(data, config.dd_bytes, config.reps)
        for engine in config.engines:
            for chunk_size in config.chunk_sizes:
                log(f"{ENGINES[engine]}, chunk size {chunk_size}")
                runs[f"{engine}/{chunk_size}"] = measure(config, engine, chunk_size, args.out, data)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started)),
        "duration_s": round(time.time() - started, 1),
        "command": " ".join(["make bench (scripts/bench.sh)", *sys.argv[1:]]),
        "machine": machine(),
        "disk_write": disk,
        "config": asdict(config),
        "targets": TARGETS,
        "runs": runs,
        "chosen_chunk_size": choose_chunk_size(runs),
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    write_markdown(results, args.out / "results.md")
    log(f"done in {results['duration_s']} s: {args.out / 'results.md'}")


if __name__ == "__main__":
    main()
