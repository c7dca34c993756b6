"""Prometheus metrics, one registry per app, labelled by route template.

Labels come from the matched route (`/api/v1/videos/{video_id}/stream`), never
from the raw path, so the number of series stays bounded whatever clients send.
Bytes are counted as they cross the ASGI boundary, so the video routes need no
instrumentation of their own.
"""

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from vidvault.observability.exchange import Exchange

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Routes are recognised by their stable operation ids, not by path strings.
STREAM_OPERATIONS = frozenset({"videos-stream", "videos-stream-head"})
UPLOAD_OPERATION = "videos-upload"
# Whole responses, streams included: a long video download takes minutes.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900)


def method_label(method: str) -> str:
    # Clients choose the method: anything unusual shares one series.
    return method if method in KNOWN_METHODS else "OTHER"


class Metrics:
    """Every series of one app. A registry of its own, so several apps never collide."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry(auto_describe=True)
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=registry)
        self.requests = Counter(
            "vidvault_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.duration = Histogram(
            "vidvault_http_request_duration_seconds",
            "Time from the request's arrival to its last response byte, by route template.",
            ["method", "route"],
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.response_bytes = Counter(
            "vidvault_http_response_body_bytes",
            "Response body bytes sent, by route template.",
            ["method", "route"],
            registry=registry,
        )
        self.streamed_bytes = Counter(
            "vidvault_video_streamed_bytes",
            "Video bytes sent by the stream endpoint (whole files and ranges).",
            registry=registry,
        )
        self.uploads_in_flight = Gauge(
            "vidvault_uploads_in_flight",
            "Uploads whose body is being received right now.",
            registry=registry,
        )
        self.uploaded_bytes = Counter(
            "vidvault_upload_received_bytes",
            "Request body bytes received by the upload endpoint.",
            registry=registry,
        )

    def observe(self, exchange: Exchange) -> None:
        method, route = method_label(exchange.method), exchange.route
        self.requests.labels(method, route, str(exchange.status)).inc()
        self.duration.labels(method, route).observe(exchange.seconds)
        self.response_bytes.labels(method, route).inc(exchange.sent_bytes)
        if exchange.operation_id in STREAM_OPERATIONS:
            self.streamed_bytes.inc(exchange.sent_bytes)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST
