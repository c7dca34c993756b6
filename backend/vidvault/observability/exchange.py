"""One finished request/response, as the metrics and the access log see it."""

from dataclasses import dataclass

UNMATCHED_ROUTE = "<unmatched>"


@dataclass(frozen=True, slots=True)
class Exchange:
    method: str
    # The route template (`/api/v1/videos/{video_id}`), or UNMATCHED_ROUTE.
    route: str
    # The raw path, never the query string: stream URLs carry a token there.
    path: str
    status: int
    seconds: float
    sent_bytes: int
    received_bytes: int
    operation_id: str | None = None
    client: str | None = None
