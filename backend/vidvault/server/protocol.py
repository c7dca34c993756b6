"""uvicorn's httptools protocol with the limits it lacks (see HttpLimits).

uvicorn with httptools reads a header line of any length into memory, waits
for headers and bodies forever, and keeps a response's buffers for a client
that never reads. These limits belong below the application: by the time an
ASGI app sees a request its headers are already in memory, and an app
cannot free the transport's write buffer. So they are enforced here, in the
protocol object uvicorn creates for each connection (uvicorn's documented
`http` option takes a protocol class), and `python -m vidvault.server` runs
uvicorn with it everywhere: `make api`, the image, compose and the chart.

Each connection's kernel queue of unsent bytes is bounded, and a request's
scope offers the room left in it (core/send_room.py), so a stream hands over
only what the kernel takes and the write buffer never pins a whole chunk.
"""

import asyncio
import logging
import socket
import struct
from asyncio import TimerHandle
from collections.abc import Callable
from contextlib import suppress
from http import HTTPStatus
from typing import Any, ClassVar

from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from vidvault.core.send_room import SEND_ROOM_EXTENSION
from vidvault.server.limits import HttpLimits
from vidvault.server.socket_room import kernel_room, limit_unsent

logger = logging.getLogger("vidvault.server")


class _WatchedFlow(FlowControl):
    """uvicorn's flow control, noting whether the server paused reading since the last look."""

    def __init__(self, transport: asyncio.Transport) -> None:
        super().__init__(transport)
        self.paused_since_check = False

    def pause_reading(self) -> None:
        self.paused_since_check = True
        super().pause_reading()


def _plain_response(status: HTTPStatus, message: str) -> bytes:
    body = message.encode()
    return (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        "content-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode() + body


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    limits: ClassVar[HttpLimits]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reading_head = True
        self._head_bytes = 0
        self._body_bytes = 0  # in the current rate window
        self._timers: dict[str, TimerHandle] = {}

    # Timers, one per limit.

    def _arm(self, name: str, seconds: float, callback: Callable[[], None]) -> None:
        self._disarm(name)
        self._timers[name] = self.loop.call_later(seconds, callback)

    def _disarm(self, name: str) -> None:
        timer = self._timers.pop(name, None)
        if timer is not None:
            timer.cancel()

    # The connection.

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.flow = _WatchedFlow(transport)
        self._socket: socket.socket | None = transport.get_extra_info("socket")
        self._room_known = limit_unsent(self._socket)
        self._arm("head", self.limits.head_timeout_seconds, self._head_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        for name in list(self._timers):
            self._disarm(name)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._reading_head and not self.transport.is_closing():
            # Counted after parsing, so bytes of a body behind complete headers
            # in the same read are not held against the head.
            self._head_bytes += len(data)
            if self._head_bytes > self.limits.max_head_bytes:
                self._give_up(
                    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    f"The request line and headers exceed {self.limits.max_head_bytes} bytes",
                )

    # The request head.

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.scope["extensions"] = {SEND_ROOM_EXTENSION: {"room": self._send_room}}
        self._reading_head, self._head_bytes = True, 0
        if "head" not in self._timers:
            self._arm("head", self.limits.head_timeout_seconds, self._head_too_slow)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._disarm("head")
        super().on_headers_complete()
        self._body_bytes = 0
        self._watched_flow.paused_since_check = False
        self._arm("body", self.limits.body_rate_window_seconds, self._check_body_rate)

    def _head_too_slow(self) -> None:
        self._timers.pop("head", None)
        if self._reading_head:
            self._give_up(HTTPStatus.REQUEST_TIMEOUT, "The request headers arrived too slowly")

    # The request body.

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._disarm("body")
        super().on_message_complete()

    @property
    def _watched_flow(self) -> _WatchedFlow:
        assert isinstance(self.flow, _WatchedFlow)
        return self.flow

    def _check_body_rate(self) -> None:
        self._timers.pop("body", None)
        flow = self._watched_flow
        # Time the server spent not reading (the app busy with earlier bytes,
        # or not yet asking for a body that waits on 100-continue) is not the client's.
        server_held_back = (
            flow.paused_since_check
            or flow.read_paused
            or (self.cycle is not None and self.cycle.waiting_for_100_continue)
        )
        if not server_held_back and self._body_bytes < self.limits.body_min_bytes_per_window:
            self._give_up(HTTPStatus.REQUEST_TIMEOUT, "The request body arrived too slowly")
            return
        self._body_bytes, flow.paused_since_check = 0, False
        self._arm("body", self.limits.body_rate_window_seconds, self._check_body_rate)

    # The response.

    def _send_room(self) -> int:
        """Bytes the kernel takes now, with nothing left in our write buffer (core/send_room)."""
        if not self._room_known or self.transport.get_write_buffer_size() > 0:
            return 0
        assert self._socket is not None
        return 0 if self.transport.is_closing() else kernel_room(self._socket)

    def pause_writing(self) -> None:
        super().pause_writing()
        self._arm("send", self.limits.send_timeout_seconds, self._client_stopped_reading)

    def resume_writing(self) -> None:
        self._disarm("send")
        super().resume_writing()

    def _client_stopped_reading(self) -> None:
        self._timers.pop("send", None)
        logger.info("closing a connection whose client stopped reading: %s", self.client)
        self._stop_cycle()
        self._reset()

    def _reset(self) -> None:
        """End the connection now, dropping whatever is still queued for the client.

        `abort` drops the transport's buffer; a zero linger makes the kernel
        drop its own and send a reset, rather than keep the socket for as long
        as it takes to deliver bytes the client will not read.
        """
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    # Ending a connection.

    def _stop_cycle(self) -> None:
        """The app sees a vanished client: its sends are dropped, its receive says disconnect."""
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()
        self.flow.resume_writing()  # wake a send waiting for the buffer to drain

    def _give_up(self, status: HTTPStatus, message: str) -> None:
        logger.info("%s from %s: %s", status.value, self.client, message)
        can_answer = self._reading_head or self.cycle is None or not self.cycle.response_started
        self._stop_cycle()
        if can_answer:
            self.transport.write(_plain_response(status, message))
            self.transport.close()
        else:
            self._reset()


def limited_protocol(limits: HttpLimits) -> type[asyncio.Protocol]:
    """The protocol class for uvicorn's `http` option, carrying these limits."""
    return type("LimitedHttpToolsProtocol", (LimitedHttpToolsProtocol,), {"limits": limits})
