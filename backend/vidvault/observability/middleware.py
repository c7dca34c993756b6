"""An ASGI middleware that measures every HTTP exchange as it crosses the boundary.

It sees the bytes on the wire (response body, request body), the status and
the matched route, then hands one Exchange to the metrics and the access log.
Counting here keeps the stream and upload code free of instrumentation.
"""

import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vidvault.observability.exchange import Exchange
from vidvault.observability.metrics import UPLOAD_OPERATION, Metrics
from vidvault.observability.routes import RouteTemplates

SERVER_ERROR = 500


class _Watch:
    """What one request has done so far."""

    def __init__(self, scope: Scope, metrics: Metrics, templates: RouteTemplates) -> None:
        self.scope = scope
        self.metrics = metrics
        self.templates = templates
        self.started = time.perf_counter()
        self.status = SERVER_ERROR
        self.sent_bytes = 0
        self.received_bytes = 0
        self.counting_upload = False

    @property
    def route(self) -> object:
        return self.scope.get("route")

    @property
    def operation_id(self) -> str | None:
        operation_id = getattr(self.route, "operation_id", None)
        return operation_id if isinstance(operation_id, str) else None

    def on_receive(self, message: Message) -> None:
        if message["type"] != "http.request":
            return
        size = len(message.get("body", b""))
        self.received_bytes += size
        if self.operation_id != UPLOAD_OPERATION:
            return
        if not self.counting_upload:
            # The route is known once the endpoint reads the body: from then on it is in flight.
            self.counting_upload = True
            self.metrics.uploads_in_flight.inc()
        self.metrics.uploaded_bytes.inc(size)

    def on_send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            self.sent_bytes += len(message.get("body", b""))

    def finish(self) -> Exchange:
        if self.counting_upload:
            self.metrics.uploads_in_flight.dec()
        client = self.scope.get("client")
        return Exchange(
            method=self.scope["method"],
            route=self.templates.template(self.route),
            path=self.scope["path"],
            status=self.status,
            seconds=time.perf_counter() - self.started,
            sent_bytes=self.sent_bytes,
            received_bytes=self.received_bytes,
            operation_id=self.operation_id,
            client=client[0] if client else None,
        )


class ObservabilityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        templates: RouteTemplates,
        on_exchange: Callable[[Exchange], None],
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.templates = templates
        self.on_exchange = on_exchange

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        watch = _Watch(scope, self.metrics, self.templates)

        async def watched_receive() -> Message:
            message = await receive()
            watch.on_receive(message)
            return message

        async def watched_send(message: Message) -> None:
            watch.on_send(message)
            await send(message)

        try:
            await self.app(scope, watched_receive, watched_send)
        finally:
            # An exception before the response started becomes a 500 further out.
            exchange = watch.finish()
            self.metrics.observe(exchange)
            self.on_exchange(exchange)
