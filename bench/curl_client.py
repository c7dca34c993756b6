"""The second client: `curl`, a native HTTP client as browsers are, one process per stream.

The load generator is Python on the same two cores as the API; curl reads
with large buffers at a fraction of its CPU. The two together show how much
of a stream figure belongs to the client.
"""

import shutil
import subprocess
from typing import Any

CURL = shutil.which("curl") or "/usr/bin/curl"
TIMEOUT_SECONDS = 1800


def curl_streams(port: int, path: str, clients: int) -> dict[str, Any]:
    """`clients` curl processes fetching the whole stream at once, each body to /dev/null."""
    url = f"http://127.0.0.1:{port}{path}"
    command = [
        CURL,
        "--silent",
        "--output",
        "/dev/null",
        "--write-out",
        "%{http_code} %{size_download} %{time_total}",
    ]
    children = [
        subprocess.Popen([*command, url], stdout=subprocess.PIPE, text=True)  # noqa: S603
        for _ in range(clients)
    ]
    outputs = [child.communicate(timeout=TIMEOUT_SECONDS)[0].split() for child in children]
    # Timed by each curl from its request to its last byte (not its process
    # start), as the load generator times itself; the slowest sets the aggregate.
    seconds = max(float(elapsed) for _, _, elapsed in outputs)
    good = [int(size) for status, size, _ in outputs if status == "200"]
    return {
        "clients": clients,
        "seconds": seconds,
        "bytes": sum(good),
        "mb_per_s": sum(good) / seconds / 1e6,
        "errors": clients - len(good),
    }
