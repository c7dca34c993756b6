"""Start the embedded MongoDB stand-in as a separate process for tests and benchmarks."""

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1]
LAUNCHER = BACKEND / "scripts" / "embedded_mongo.py"
READY_LINE = re.compile(r"listening on (mongodb://\S+)")
START_TIMEOUT_SECONDS = 60


@dataclass
class EmbeddedMongo:
    process: subprocess.Popen[str]
    url: str

    @property
    def port(self) -> int:
        return int(self.url.split(":")[2].split("/")[0])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_embedded_mongo(
    port: int = 0, engine: str = "memory", path: Path | None = None
) -> EmbeddedMongo:
    """`path` is the SQLite engine's file: data there survives a restart."""
    extra = ["--path", str(path)] if path is not None else []
    process = subprocess.Popen(
        [sys.executable, str(LAUNCHER), "--port", str(port), "--engine", engine, *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if match := READY_LINE.search(line):
            process.stdout.close()  # it prints nothing more; an open pipe would leak
            return EmbeddedMongo(process, match.group(1))
        if not line and process.poll() is not None:
            break
    process.kill()
    process.wait()
    process.stdout.close()
    raise RuntimeError("the embedded MongoDB did not start")
