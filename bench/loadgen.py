"""The load generator: its own process, driven by a JSON spec, answering in JSON.

    python bench/loadgen.py '{"scenario": "stream", "port": 8000, ...}'

Every loop is bounded: a fixed number of requests, or until the load it
accompanies is finished.
"""

import asyncio
import itertools
import json
import statistics
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

from wire import Reply, multipart_upload, request, synthetic_video_block

type Spec = dict[str, Any]
type Result = dict[str, Any]

MIB = 1024 * 1024
LIST_PATH = "/api/v1/videos?limit=20"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def upload(
    port: int, token: str, size: int, block: bytes, marks: list[float] | None = None
) -> Reply:
    """One upload; `marks` receives the times at which each quarter of the body was sent."""
    content_type, length, body = multipart_upload(size, block)
    headers = {"authorization": f"Bearer {token}", "content-type": content_type}
    if marks is not None:
        body = _marking_quarters(body, length, marks)
    return await request(
        port, "POST", "/api/v1/videos", headers, body, body_length=length, keep_body=True
    )


async def _marking_quarters(
    body: AsyncIterator[bytes], length: int, marks: list[float]
) -> AsyncIterator[bytes]:
    # The server reads only as fast as it stores (back-pressure through the socket),
    # so the sending pace is the storing pace, give or take the socket buffers.
    sent = 0
    marks.append(time.perf_counter())
    async for block in body:
        yield block
        sent += len(block)
        while len(marks) < 4 and sent >= length * len(marks) / 4:
            marks.append(time.perf_counter())


async def scenario_upload(spec: Spec) -> Result:
    marks: list[float] = []
    size = spec["size"]
    reply = await upload(spec["port"], spec["token"], size, synthetic_video_block(), marks)
    if reply.status != 201:
        raise RuntimeError(f"upload answered {reply.status}: {reply.body[:300]!r}")
    video = json.loads(reply.body)
    marks.append(marks[0] + reply.seconds)  # the last quarter ends with the answer
    quarters = [size / 4 / (end - start) / 1e6 for start, end in itertools.pairwise(marks)]
    return {
        "seconds": reply.seconds,
        "mb_per_s": size / reply.seconds / 1e6,
        "quarter_mb_per_s": quarters,
        "video": video,
    }


async def _stream_once(port: int, path: str, range_header: str | None) -> Reply:
    headers = {"range": range_header} if range_header else {}
    return await request(port, "GET", path, headers)


async def scenario_stream(spec: Spec) -> Result:
    port, path, clients = spec["port"], spec["path"], spec["clients"]
    started = time.perf_counter()
    replies = await asyncio.gather(
        *(_stream_once(port, path, None) for _ in range(clients)), return_exceptions=True
    )
    seconds = time.perf_counter() - started
    good = [r for r in replies if isinstance(r, Reply) and r.status == 200]
    total = sum(r.body_bytes for r in good)
    return {
        "clients": clients,
        "seconds": seconds,
        "bytes": total,
        "mb_per_s": total / seconds / 1e6,
        "errors": clients - len(good),
        "error_detail": [repr(r) for r in replies if not isinstance(r, Reply)][:3],
    }


async def scenario_seek(spec: Spec) -> Result:
    port, runs, length = spec["port"], spec["runs"], spec["range_bytes"]
    results: dict[str, Any] = {}
    for target in spec["targets"]:
        for fraction in spec["offsets"]:
            start = min(int(target["size"] * fraction), target["size"] - length)
            header = f"bytes={start}-{start + length - 1}"
            timings = []
            for _ in range(runs):
                reply = await _stream_once(port, target["path"], header)
                if reply.status != 206 or reply.body_bytes != length:
                    raise RuntimeError(f"seek {header} answered {reply.status}")
                timings.append(reply.seconds * 1000)
            results[f"{target['label']}@{fraction:g}"] = {
                "p50_ms": statistics.median(timings),
                "p99_ms": percentile(timings, 0.99),
            }
    return results


async def _poll_until(
    port: int, path: str, headers: dict[str, str], done: asyncio.Event, interval: float
) -> tuple[list[float], list[int]]:
    """Latencies of one call made at a steady pace, and the statuses of any that failed."""
    latencies: list[float] = []
    failures: list[int] = []
    while not done.is_set():
        reply = await request(port, "GET", path, headers)
        latencies.append(reply.seconds * 1000)
        if reply.status != 200:
            failures.append(reply.status)
        await asyncio.sleep(interval)
    return latencies, failures


async def scenario_mixed(spec: Spec) -> Result:
    """List calls at a steady pace while streams and uploads run; stops when they end."""
    port, token = spec["port"], spec["token"]
    block = synthetic_video_block()
    done = asyncio.Event()
    auth = {"authorization": f"Bearer {token}"}
    interval = spec["list_interval"]
    lister = asyncio.create_task(_poll_until(port, LIST_PATH, auth, done, interval))
    # The liveness probe touches no database: it shows the API's own event loop delay.
    prober = asyncio.create_task(_poll_until(port, "/healthz", {}, done, interval))
    load = [_stream_once(port, spec["path"], None) for _ in range(spec["clients"])]
    load += [upload(port, token, spec["upload_size"], block) for _ in range(spec["uploads"])]
    replies = await asyncio.gather(*load, return_exceptions=True)
    done.set()
    latencies, failures = await lister
    probes, _ = await prober
    ok = {200, 201}
    errors = sum(1 for r in replies if not isinstance(r, Reply) or r.status not in ok)
    return {
        "list_calls": len(latencies),
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
        "load_errors": errors,
        "list_failures": failures,
        "healthz_p50_ms": statistics.median(probes),
        "healthz_p99_ms": percentile(probes, 0.99),
    }


SCENARIOS = {
    "upload": scenario_upload,
    "stream": scenario_stream,
    "seek": scenario_seek,
    "mixed": scenario_mixed,
}


def main() -> None:
    spec: Spec = json.loads(sys.argv[1])
    result = asyncio.run(SCENARIOS[spec["scenario"]](spec))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
