"""Prometheus metrics on a port of their own, never on the API's.

The figures (per-route counts of 401s and 429s, process memory) help an
attacker as much as an operator, so they are not served where the API is:
only on METRICS_PORT, which neither compose publishes nor the Ingress routes,
for a scraper inside the network. prometheus_client's own server runs in a
daemon thread, so scrapes never wait on the event loop.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import start_http_server

from vidvault.observability.metrics import Metrics


@contextmanager
def metrics_endpoint(metrics: Metrics, host: str, port: int | None) -> Iterator[int | None]:
    """Serves `metrics` while the block runs; yields the bound port (None: not served)."""
    if port is None:
        yield None
        return
    server, thread = start_http_server(port, addr=host, registry=metrics.registry)
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
