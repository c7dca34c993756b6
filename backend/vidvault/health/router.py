from typing import Literal

import anyio
from fastapi import APIRouter
from pydantic import BaseModel
from pymongo.errors import PyMongoError

from vidvault.core.dependencies import DatabaseDep
from vidvault.core.exceptions import DatabaseUnavailable, responses

router = APIRouter(tags=["health"])

READINESS_TIMEOUT_SECONDS = 2.0


class HealthStatus(BaseModel):
    status: Literal["ok"] = "ok"


@router.get("/healthz", operation_id="health-live", summary="Liveness: the process serves")
async def healthz() -> HealthStatus:
    return HealthStatus()


@router.get(
    "/readyz",
    operation_id="health-ready",
    responses=responses(DatabaseUnavailable),
    summary="Readiness: the database answers",
)
async def readyz(database: DatabaseDep) -> HealthStatus:
    try:
        with anyio.fail_after(READINESS_TIMEOUT_SECONDS):
            await database.ping()
    except (TimeoutError, PyMongoError) as error:
        raise DatabaseUnavailable from error
    return HealthStatus()
