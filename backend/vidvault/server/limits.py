"""What one HTTP connection may cost the server, whoever sends it."""

from dataclasses import dataclass

from vidvault.core.config import Settings


@dataclass(frozen=True, slots=True)
class HttpLimits:
    # The request line and headers together; past it, 431 and the connection ends.
    max_head_bytes: int
    # From a connection's start (or a request's first byte) to its last header byte.
    head_timeout_seconds: float
    # A body must bring at least min_rate x window bytes in every window while
    # the server is reading it; time the server spends not reading is not held
    # against the client.
    body_min_bytes_per_second: int
    body_rate_window_seconds: float
    # A response the client does not read (the socket's buffers stay full) for
    # this long is abandoned: the connection is cut and its buffers freed.
    send_timeout_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "HttpLimits":
        return cls(
            max_head_bytes=settings.http_max_head_bytes,
            head_timeout_seconds=settings.http_head_timeout_seconds,
            body_min_bytes_per_second=settings.http_body_min_bytes_per_second,
            body_rate_window_seconds=settings.http_body_rate_window_seconds,
            send_timeout_seconds=settings.http_send_timeout_seconds,
        )

    @property
    def body_min_bytes_per_window(self) -> float:
        return self.body_min_bytes_per_second * self.body_rate_window_seconds
