"""`python -m vidvault.server`: the API under uvicorn, with the limits uvicorn lacks.

Every way of running the API goes through here (`make api`, the image,
compose, the chart), so each gets the same HTTP limits (protocol.py) and the
same rule for proxy headers: honoured only from FORWARDED_ALLOW_IPS, taking
the right-most address that is not a trusted proxy.
"""

import argparse

import uvicorn

from vidvault.core.allocator import keep_freed_buffers
from vidvault.core.config import get_settings
from vidvault.server.limits import HttpLimits
from vidvault.server.protocol import limited_protocol

GRACEFUL_SHUTDOWN_SECONDS = 20


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m vidvault.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    keep_freed_buffers()
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
