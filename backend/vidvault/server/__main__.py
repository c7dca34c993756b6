"""`python -m vidvault.server`: the API under uvicorn, with the limits uvicorn lacks.

Every way of running the API goes through here (`make api`, the image,
compose, the chart), so each gets the same HTTP limits (protocol.py) and the
same rule for proxy headers: honoured only from FORWARDED_ALLOW_IPS, taking
the right-most address that is not a trusted proxy.
"""

import argparse
import ctypes
import ctypes.util
import sys

import uvicorn

from vidvault.core.config import get_settings
from vidvault.server.limits import HttpLimits
from vidvault.server.protocol import limited_protocol

GRACEFUL_SHUTDOWN_SECONDS = 20
# glibc's mallopt parameter, and the size from which every allocation gets its
# own mapping. See return_large_buffers_to_the_os.
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 128 * 1024


def return_large_buffers_to_the_os() -> None:
    """Give video chunks (256 KiB to 4 MiB each) their own mappings, returned when freed.

    glibc raises its mmap threshold each time a large block is freed, after
    which such blocks come from the heap, and a heap that a burst has grown
    (a hundred streams, say) keeps its pages long after the burst. Measured
    with 100 stalled streams (tests/limits/test_stalled_streams.py): while they
    were open, RSS +30 MiB with a fixed threshold against +90 to +120 MiB
    without; once they were closed, +2 MiB against +22 to +35 MiB. Fixing the
    threshold keeps it where it starts. Only glibc has this knob; elsewhere
    nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    libc = ctypes.CDLL(libc_name)
    if hasattr(libc, "mallopt"):
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m vidvault.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    return_large_buffers_to_the_os()
    settings = get_settings()
    trusted = settings.forwarded_allow_ips
    config = uvicorn.Config(
        # By import string, so the app is built after uvicorn's logging is set
        # up and its own logging setup (JSON lines) has the last word.
        "vidvault.asgi:app",
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        http=limited_protocol(HttpLimits.from_settings(settings)),
        proxy_headers=bool(trusted),
        forwarded_allow_ips=",".join(trusted) if trusted else None,
        access_log=False,  # the app logs one line per request itself
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
