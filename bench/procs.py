"""The processes the benchmark starts and watches: the database, the API, the children."""

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Self

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BACKEND = ROOT / "backend"
sys.path.insert(0, str(BACKEND))
from tests.embedded_db import LAUNCHER, EmbeddedMongo, start_embedded_mongo  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SCHEDSTAT = Path("/proc/self/schedstat").exists()
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
API_START_TIMEOUT = 60.0
CHILD_TIMEOUT = 1800.0


def cpu_seconds(pid: int) -> float:
    """CPU time of one process: its threads' time on a CPU, in nanoseconds.

    /proc/<pid>/stat counts in clock ticks (10 ms): one 256 MiB stream costs
    the API about 0.18 s, so a tick was a 5% step in its CPU per GiB, while
    the raw driver's own figure (time.process_time) has no such step.
    """
    if not SCHEDSTAT:  # a kernel without it: ticks it is
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    tasks = Path(f"/proc/{pid}/task").iterdir()
    return sum(_time_on_cpu(task / "schedstat") for task in tasks) / 1e9


def _time_on_cpu(schedstat: Path) -> int:
    try:
        return int(schedstat.read_text().split()[0])
    except (FileNotFoundError, ProcessLookupError):  # the thread ended meanwhile
        return 0


def rss_bytes(pid: int) -> int:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES


def _reset_peak_rss(pid: int) -> None:
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM


def peak_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class RssWatch:
    """Samples a process's resident memory until stopped; reports the peak growth."""

    pid: int
    interval: float = 0.005
    baseline: int = 0
    peak: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Self:
        _reset_peak_rss(self.pid)
        self.baseline = self.peak = self._current()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        # The kernel's own high-water mark catches a peak between two samples.
        self.peak = max(self.peak, self._current(), peak_rss_bytes(self.pid))

    def _current(self) -> int:
        return rss_bytes(self.pid)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._current())

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.baseline) / 2**20


@dataclass
class Service:
    """The API (python -m vidvault.server) with production settings, as `make api` runs it,
    or a worker (port 0)."""

    process: subprocess.Popen[bytes]
    port: int
    log: IO[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


Api = Service  # the name run.py and resumable.py know it by


@dataclass
class TreeRssWatch(RssWatch):
    """RssWatch over a process and all its descendants, summed (a worker and its media child)."""

    interval: float = 0.02

    def _current(self) -> int:
        total = 0
        for pid in (self.pid, *descendants(self.pid)):
            with contextlib.suppress(OSError):  # a child may end between list and read
                total += rss_bytes(pid)
        return total

    @property
    def peak_mib(self) -> float:
        return self.peak / 2**20


def _production_env(mongodb_url: str, db_name: str, chunk_size: int) -> dict[str, str]:
    return os.environ | {
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "MONGODB_URL": mongodb_url,
        "MONGODB_DB": db_name,
        "GRIDFS_CHUNK_SIZE": str(chunk_size),
        "MAX_UPLOAD_BYTES": str(2 * 1024**3),
        "PYTHONPATH": "",
    }


def start_api(
    mongodb_url: str,
    db_name: str,
    chunk_size: int,
    log_path: Path,
    settings: dict[str, str] | None = None,
) -> Api:
    """`settings`: more environment (replicas of one deployment share SECRET_KEY)."""
    port = free_port()
    env = _production_env(mongodb_url, db_name, chunk_size) | (settings or {})
    log = log_path.open("wb")
    # The same command line as scripts/api.sh (`make api`).
    command = [
        str(BACKEND / ".venv" / "bin" / "python"),
        *("-m", "vidvault.server", "--host", "127.0.0.1", "--port", str(port)),
    ]
    process = subprocess.Popen(  # noqa: S603 (our own command line)
        command, env=env, cwd=str(ROOT), stdout=log, stderr=subprocess.STDOUT
    )
    api = Api(process, port, log)
    wait_ready(api)
    return api


def start_worker(mongodb_url: str, db_name: str, chunk_size: int, log_path: Path) -> Service:
    """One media worker as `make worker` runs it (the console script, default settings).

    Its `port` is 0: a worker serves nothing.
    """
    log = log_path.open("wb")
    command = [str(BACKEND / ".venv" / "bin" / "vidvault-worker")]
    process = subprocess.Popen(  # noqa: S603 (our own command line)
        command,
        env=_production_env(mongodb_url, db_name, chunk_size),
        cwd=str(ROOT),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return Service(process, 0, log)


def descendants(pid: int) -> list[int]:
    """The process's children, their children, and so on (Linux /proc)."""
    found, pending = [], [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                children = [int(child) for child in task.read_text().split()]
                found += children
                pending += children
    return found


def wait_ready(api: Api) -> None:
    deadline = time.monotonic() + API_START_TIMEOUT
    while time.monotonic() < deadline:
        if api.process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{api.port}/readyz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    api.stop()
    raise RuntimeError(f"the API did not become ready; see {api.log.name}")


def start_database(
    engine: str, path: Path, port: int = 0, launcher: Path = LAUNCHER
) -> EmbeddedMongo:
    """The embedded database; `path` is where the persistent engine keeps its files."""
    if engine == "memory":
        return start_embedded_mongo(port=port, engine="memory", launcher=launcher)
    return start_embedded_mongo(port=port, engine=engine, path=path, launcher=launcher)


def seconds_until_restarted(
    engine: str, path: Path, db_name: str, chunk_size: int, log_path: Path
) -> tuple[dict[str, Any], EmbeddedMongo, Api]:
    """Start database and API again, at once, on the stored data; time until /readyz is 200.

    Both start together, as an orchestrator would: the API serves before the
    database listens, and becomes ready by itself once it does.
    """
    port = free_port()
    url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    started = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(start_database, engine, path, port)
        try:
            api = start_api(url, db_name, chunk_size, log_path.with_suffix(".restart.log"))
        except BaseException:
            pending.result().stop()
            raise
    return {"seconds": time.monotonic() - started}, pending.result(), api


def run_child(script: str, *args: str) -> Any:
    """Run one bench script in its own process and return the JSON it prints."""
    completed = subprocess.run(  # noqa: S603 (our own scripts)
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
        cwd=str(BENCH),
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{script} {args[:1]} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout)
