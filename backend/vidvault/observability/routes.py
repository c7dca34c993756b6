"""The full template of a matched route, for labels that stay bounded.

FastAPI nests included routers, so the route object a request matched knows
only its path inside its own router (`/{video_id}/stream`). The app's OpenAPI
document holds the full template for every operation id, and every route here
has an explicit one.
"""

from typing import Any

from fastapi import FastAPI

from vidvault.observability.exchange import UNMATCHED_ROUTE

HTTP_METHODS = frozenset({"get", "head", "post", "put", "patch", "delete", "options", "trace"})


def templates_by_operation(openapi: dict[str, Any]) -> dict[str, str]:
    return {
        operation["operationId"]: path
        for path, item in openapi.get("paths", {}).items()
        for method, operation in item.items()
        if method in HTTP_METHODS and "operationId" in operation
    }


class RouteTemplates:
    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._by_operation: dict[str, str] | None = None

    def _templates(self) -> dict[str, str]:
        # Read on first use: by then every router has been included.
        if self._by_operation is None:
            self._by_operation = templates_by_operation(self._app.openapi())
        return self._by_operation

    def template(self, route: object) -> str:
        operation_id = getattr(route, "operation_id", None)
        if isinstance(operation_id, str) and operation_id in self._templates():
            return self._templates()[operation_id]
        path = getattr(route, "path", None)
        return path if isinstance(path, str) else UNMATCHED_ROUTE
