from fastapi import APIRouter, Request, Response

from vidvault.observability.metrics import METRICS_CONTENT_TYPE, Metrics

router = APIRouter(tags=["observability"])


@router.get(
    "/metrics",
    operation_id="metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text exposition format",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
    summary="Prometheus metrics of this process",
)
async def metrics(request: Request) -> Response:
    registry: Metrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=METRICS_CONTENT_TYPE)
