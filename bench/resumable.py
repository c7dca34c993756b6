"""Resumable uploads (tus) against the multipart upload: `python resumable.py` (part of make bench).

For each run, on one database and API (production settings, as in run.py):

1. a multipart upload of SIZE bytes, then a tus upload of the same size in
   8 MiB PATCH requests, each with the API's peak resident memory growth;
2. a tus upload cut at 50%: the PATCH that crosses the middle stops sending
   halfway and closes its connection, the client asks HEAD where to resume,
   and finishes. Re-sent bytes = bytes sent in all - the upload's length.

The tus client behaves as tus-js-client and tuspy do: one kept-alive
connection for all its requests (a new one after the cut), each PATCH's bytes
sent from the file's buffer without a copy; the multipart upload is one
connection too, its body sent as generated.

Results: results-resumable.json and .md beside this file (or --out); each
figure is the median of the runs with its spread (min-max).
"""

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from procs import BENCH, Api, RssWatch, start_api, start_database
from run import DB_NAME, _account, log, upload
from wire import MP4_HEAD, READER_LIMIT, request, synthetic_video_block

MIB = 1024 * 1024
PATCH_BYTES = 8 * MIB
CHUNK_SIZE = MIB
TARGETS = {
    "tus_vs_multipart": "resumable upload throughput >= 0.8 x the multipart upload's",
    "tus_rss_growth_mib": "API peak RSS growth < 64 MiB",
    "resent_after_cut_mib": "bytes sent again after a cut at 50% <= one PATCH (8 MiB)",
}


class Tus:
    """A tus client over raw sockets: as little CPU per byte as the load generator.

    Like tus-js-client and tuspy, it keeps one connection alive across requests
    and sends each PATCH's bytes straight from the file's buffer (no copy); a
    cut drops that connection and the next request opens a new one.
    """

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.auth = {"authorization": f"Bearer {token}", "tus-resumable": "1.0.0"}
        self._link: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._link is None:
            self._link = await asyncio.open_connection("127.0.0.1", self.port, limit=READER_LIMIT)
        return self._link

    def _drop(self) -> None:
        if self._link is not None:
            self._link[1].close()
            self._link = None

    def close(self) -> None:
        self._drop()

    async def _exchange(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes | memoryview = b"",
        cut: bool = False,
    ) -> tuple[int, dict[str, str]]:
        reader, writer = await self._connection()
        try:
            fields = {"host": f"127.0.0.1:{self.port}"} | self.auth | headers
            fields["content-length"] = str(len(body))
            head = f"{method} {path} HTTP/1.1\r\n" + "".join(
                f"{k}: {v}\r\n" for k, v in fields.items()
            )
            writer.write(head.encode("latin-1") + b"\r\n")
            writer.write(body[: len(body) // 2] if cut else body)
            await writer.drain()
            if cut:  # the link drops: the server sees the body end early
                writer.write_eof()
                self._drop()
                return 0, {}
            status, answer = await _answer(reader, method)
        except BaseException:
            self._drop()
            raise
        if answer.get("connection", "").lower() == "close":
            self._drop()
        return status, answer

    async def create(self, size: int) -> str:
        status, headers = await self._exchange(
            "POST", "/api/v1/uploads", {"upload-length": str(size)}
        )
        if status != 201:
            raise RuntimeError(f"tus creation answered {status}")
        return headers["location"]

    async def patch(
        self, path: str, offset: int, data: bytes | memoryview, cut: bool = False
    ) -> int | None:
        """The offset after this PATCH; None if the server holds another offset or
        request (409, 423: a cut request it took only after the client resumed)."""
        octets = {"upload-offset": str(offset), "content-type": "application/offset+octet-stream"}
        status, headers = await self._exchange("PATCH", path, octets, data, cut)
        if cut:
            return offset
        if status in (409, 423):
            return None
        if status != 204:
            raise RuntimeError(f"PATCH answered {status}")
        return int(headers["upload-offset"])

    async def resume_offset(self, path: str) -> int:
        """Where to resume after a cut, as a tus client finds it.

        The server may not have taken the cut request yet when HEAD arrives
        (a PATCH then gets 423 while it runs): ask again until a zero-byte
        PATCH at the answered offset is accepted.
        """
        for _ in range(150):  # 30 s at most: the server lets go of a dead PATCH's claim by then
            offset = await self.offset(path)
            octets = {
                "upload-offset": str(offset),
                "content-type": "application/offset+octet-stream",
            }
            status, _ = await self._exchange("PATCH", path, octets, b"")
            if status == 204:
                return offset
            await asyncio.sleep(0.2)  # 423 (the cut request still runs) or 409 (it just ended)
        raise RuntimeError(f"the upload at {path} did not become resumable within 30 s")

    async def offset(self, path: str) -> int:
        status, headers = await self._exchange("HEAD", path, {})
        if status != 200:
            raise RuntimeError(f"HEAD answered {status}")
        return int(headers["upload-offset"])


async def _answer(reader: asyncio.StreamReader, method: str) -> tuple[int, dict[str, str]]:
    """A response's status and headers; its body (an error's message) is read and dropped."""
    raw = await reader.readuntil(b"\r\n\r\n")
    lines = raw.decode("latin-1").split("\r\n")
    answer = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:]) if k
    }
    status = int(lines[0].split(" ", 2)[1])
    if method != "HEAD" and status not in (204, 304):
        await reader.readexactly(int(answer.get("content-length", "0")))
    return status, answer


def _content(size: int) -> bytes:
    block = synthetic_video_block()
    return (MP4_HEAD + block * (size // len(block) + 1))[:size]


async def tus_upload(tus: Tus, content: bytes, cut_at: float | None = None) -> dict[str, Any]:
    """Upload in PATCH_BYTES requests; with `cut_at`, cut the PATCH crossing that fraction once."""
    started = time.perf_counter()
    path = await tus.create(len(content))
    offset, sent, cut = 0, 0, False
    whole = memoryview(content)
    while offset < len(content):
        piece = whole[offset : offset + PATCH_BYTES]
        if cut_at is not None and not cut and offset + len(piece) > cut_at * len(content):
            await tus.patch(path, offset, piece, cut=True)
            sent += len(piece) // 2
            cut = True
            offset = await tus.resume_offset(path)
            continue
        sent += len(piece)
        stored = await tus.patch(path, offset, piece)
        offset = stored if stored is not None else await tus.resume_offset(path)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "mb_per_s": len(content) / seconds / 1e6,
        "resent_bytes": sent - len(content),  # every byte sent more than once
        "video_id": path.rsplit("/", 1)[1],  # the finished upload is the video with its id
    }


async def _delete(api: Api, token: str, video_id: str) -> None:
    # The memory engine holds every byte in RAM: keep only what is being measured.
    headers = {"authorization": f"Bearer {token}"}
    reply = await request(api.port, "DELETE", f"/api/v1/videos/{video_id}", headers)
    if reply.status != 204:
        raise RuntimeError(f"delete answered {reply.status}")


async def one_run(api: Api, size: int) -> dict[str, Any]:
    token = await _account(api.port)
    tus = Tus(api.port, token)
    content = _content(size)
    with RssWatch(api.pid) as multipart_rss:
        multipart = upload(api, token, size)
    await _delete(api, token, multipart["video"]["id"])
    try:
        with RssWatch(api.pid) as tus_rss:
            resumable = await tus_upload(tus, content)
        await _delete(api, token, resumable["video_id"])
        cut = await tus_upload(tus, content, cut_at=0.5)
        await _delete(api, token, cut["video_id"])
    finally:
        tus.close()
    return {
        "multipart_mb_per_s": multipart["mb_per_s"],
        "multipart_rss_growth_mib": multipart_rss.growth_mib,
        "tus_mb_per_s": resumable["mb_per_s"],
        "tus_rss_growth_mib": tus_rss.growth_mib,
        "tus_vs_multipart": resumable["mb_per_s"] / multipart["mb_per_s"],
        "resent_after_cut_mib": cut["resent_bytes"] / MIB,
    }


def summary(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per figure: the median of the runs and their spread."""
    return {
        name: {
            "median": statistics.median(run[name] for run in runs),
            "min": min(run[name] for run in runs),
            "max": max(run[name] for run in runs),
        }
        for name in runs[0]
    }


ENGINE_NAMES = {"sqlite": "persistent default (what make run uses)", "memory": "memory engine"}


def markdown(results: dict[str, Any]) -> str:
    engine = ENGINE_NAMES.get(results["engine"], results["engine"])
    lines = [
        f"# Resumable uploads (tus) against multipart: {engine}",
        "",
        f"{results['date']}; engine **{results['engine']}**; {results['size_mib']} MiB uploads, "
        f"8 MiB PATCHes, chunk size 1 MiB; median of {results['reps']} runs (min-max); "
        f"load average at the start {results['load']}.",
        "",
        "| figure | median | min-max | target |",
        "| --- | --- | --- | --- |",
    ]
    for name, figure in results["summary"].items():
        lines.append(
            f"| {name} | {figure['median']:.2f} | {figure['min']:.2f}-{figure['max']:.2f} "
            f"| {TARGETS.get(name, '')} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=512)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument(
        "--engine",
        default="sqlite,memory",
        help="comma-separated: sqlite (the persistent default make run uses), memory",
    )
    parser.add_argument("--out", type=Path, default=BENCH)
    parser.add_argument("--quick", action="store_true", help="16 MiB, one run: the smoke variant")
    args, _ = parser.parse_known_args()  # make bench passes run.py's options to both
    if args.quick:
        args.size_mib, args.reps = 16, 1
    args.out.mkdir(parents=True, exist_ok=True)
    every = [measure_engine(engine, args) for engine in args.engine.split(",")]
    results = {"engines": every}
    (args.out / "results-resumable.json").write_text(json.dumps(results, indent=2) + "\n")
    text = "\n".join(markdown(one) for one in every)
    (args.out / "results-resumable.md").write_text(text)
    sys.stdout.write(text)


def measure_engine(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    """Resumable against multipart on one engine, with a database and API of its own."""
    started_load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    data = Path(tempfile.mkdtemp(prefix="vidvault-bench-tus-"))
    database = start_database(engine, data / "vidvault.sqlite3")
    api = None
    runs = []
    try:  # the database and its files go however this ends, the API failing to start too
        api = start_api(database.url, DB_NAME, CHUNK_SIZE, args.out / f"api-resumable-{engine}.log")
        for rep in range(args.reps):
            log(f"{engine}: resumable vs multipart, {args.size_mib} MiB, run {rep + 1}/{args.reps}")
            runs.append(asyncio.run(one_run(api, args.size_mib * MIB)))
    finally:
        if api is not None:
            api.stop()
        database.stop()
        shutil.rmtree(data, ignore_errors=True)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "engine": engine,
        "load": started_load,
        "size_mib": args.size_mib,
        "reps": args.reps,
        "runs": runs,
        "summary": summary(runs),
        "targets": TARGETS,
    }


if __name__ == "__main__":
    main()
