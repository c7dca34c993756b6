"""GET and HEAD of one ranged resource, registered together from one endpoint.

Every byte-serving route (stream, playback, shared playback) answers HEAD with
exactly the headers its GET would send, so both come from the same function:
the endpoint reads `request.method` and passes `send_body` to `stream_response`.
"""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response


def sends_body(request: Request) -> bool:
    return request.method != "HEAD"


def add_ranged_routes(
    router: APIRouter,
    path: str,
    endpoint: Callable[..., Any],
    *,
    operation_id: str,
    summary: str,
    head_summary: str,
    responses: dict[int | str, dict[str, Any]],
) -> None:
    """Register `endpoint` for GET as `operation_id` and for HEAD as `operation_id`-head."""
    for method, op_id, text in (
        ("GET", operation_id, summary),
        ("HEAD", f"{operation_id}-head", head_summary),
    ):
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            operation_id=op_id,
            response_class=Response,
            responses=responses,
            summary=text,
        )
