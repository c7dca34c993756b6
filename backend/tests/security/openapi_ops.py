"""What the committed OpenAPI document says about operations, for the security tests."""

import json
from pathlib import Path
from typing import Any

OPENAPI_PATH = Path(__file__).resolve().parents[3] / "openapi" / "openapi.json"


def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(OPENAPI_PATH.read_text())
    return document


def authenticated_operation_ids() -> set[str]:
    """Operations that require a security scheme: the ones the matrix must cover."""
    return {
        operation["operationId"]
        for path in openapi_document()["paths"].values()
        for operation in path.values()
        if operation.get("security")
    }
