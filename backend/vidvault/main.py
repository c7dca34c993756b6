"""The application factory: settings in, a ready FastAPI app out."""

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute

from vidvault.accounts.router import users_router
from vidvault.accounts.service import finish_account_deletions_forever
from vidvault.auth.migrations import migrate_accounts
from vidvault.auth.models import ThrottleCounter, User
from vidvault.auth.router import auth_router
from vidvault.auth.token_versions import TokenVersions
from vidvault.core.config import Settings, get_settings
from vidvault.core.database import Database, connect_database, prepare_until_ready
from vidvault.core.dependencies import get_database
from vidvault.core.errors import install_error_handlers
from vidvault.core.exceptions import DatabaseUnavailable, responses
from vidvault.core.middleware import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from vidvault.core.security import PasswordHasher
from vidvault.health.router import router as health_router
from vidvault.jobs.models import Job
from vidvault.media.migration import queue_unprocessed_videos
from vidvault.media.router import router as media_router
from vidvault.observability.exposition import metrics_endpoint
from vidvault.observability.install import install_observability
from vidvault.shares.models import Share
from vidvault.shares.router import owner_router as shares_router
from vidvault.shares.router import public_router as shared_router
from vidvault.uploads import tus
from vidvault.uploads.models import Upload
from vidvault.uploads.router import router as uploads_router
from vidvault.videos.migrations import backfill_search_fields, strip_invisible_controls
from vidvault.videos.models import Video
from vidvault.videos.router import router as videos_router
from vidvault.videos.service import API_PREFIX
from vidvault.videos.sweeper import sweep_forever

logger = logging.getLogger(__name__)

DOCUMENT_MODELS = [User, ThrottleCounter, Video, Job, Share, Upload]
# Headers the web app reads from cross-origin responses.
EXPOSED_HEADERS = [
    "Location",
    "Content-Range",
    "Accept-Ranges",
    "Content-Length",
    "ETag",
    "Retry-After",
    *tus.RESPONSE_HEADERS,
]
# Every body but an upload is a small JSON document or login form.
MAX_SMALL_BODY_BYTES = 64 * 1024
# The routes that stream a body into storage, and cap it by the upload gate.
_STREAMED_BODY_ROUTES = {("POST", f"{API_PREFIX}/videos"), ("POST", f"{API_PREFIX}/uploads")}
_UPLOAD_URL = re.compile(rf"{API_PREFIX}/uploads/[^/]+")


def streams_its_body(method: str, path: str) -> bool:
    return (method, path) in _STREAMED_BODY_ROUTES or (
        method == "PATCH" and _UPLOAD_URL.fullmatch(path) is not None
    )


def _api_router() -> APIRouter:
    # Every API route reads the database, so every one can answer 503.
    api = APIRouter(
        prefix=API_PREFIX,
        responses=responses(DatabaseUnavailable),
        dependencies=[Depends(get_database)],  # 503 until the database is prepared
    )
    for router in (
        auth_router,
        users_router,
        videos_router,
        media_router,
        shares_router,
        shared_router,
        uploads_router,
    ):
        api.include_router(router)
    return api


def _require_explicit_operation_ids(app: FastAPI) -> None:
    # Generated clients name their methods after these: they must never drift.
    for route in app.routes:
        if isinstance(route, APIRoute) and route.operation_id is None:
            raise RuntimeError(f"route {route.path} has no explicit operation_id")


async def _prepare_then_sweep(database: Database, settings: Settings) -> None:
    # The API serves (liveness 200, everything else 503) while this waits for the database.
    try:
        await prepare_until_ready(
            database,
            DOCUMENT_MODELS,
            migrations=[
                migrate_accounts,
                backfill_search_fields,
                strip_invisible_controls,
                queue_unprocessed_videos,
            ],
        )
    except Exception:  # not the database being away (that is retried): a bug, loudly
        logger.exception("preparing the database failed; the API stays unready (503)")
        raise
    grace = timedelta(seconds=settings.orphan_grace_seconds)
    interval = settings.sweep_interval_seconds
    async with asyncio.TaskGroup() as sweepers:
        sweepers.create_task(sweep_forever(database.storage, grace, interval))
        # Account deletions a process began and did not finish.
        sweepers.create_task(finish_account_deletions_forever(database, interval))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.database = database = connect_database(settings)
        background = asyncio.create_task(
            _prepare_then_sweep(database, settings), name="database-prepare-and-sweep"
        )
        metrics = metrics_endpoint(app.state.metrics, settings.metrics_host, settings.metrics_port)
        try:
            with metrics as app.state.metrics_port:
                yield
        finally:
            background.cancel()
            with suppress(asyncio.CancelledError):
                await background
            await database.close()

    app = FastAPI(
        title="Vidvault",
        version="1.0.0",
        summary="Self-hosted video library: upload, list and stream videos with byte ranges.",
        lifespan=lifespan,
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url="/redoc" if settings.docs_enabled else None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.state.settings = settings
    app.state.password_hasher = PasswordHasher(
        settings.password_hash_concurrency, settings.password_hash_max_wait_seconds
    )
    app.state.token_versions = TokenVersions()
    app.include_router(_api_router())
    app.include_router(health_router)
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimitMiddleware, max_bytes=MAX_SMALL_BODY_BYTES, exempt=streams_its_body
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "POST", "PATCH", "DELETE"],
        allow_headers=[
            *("Authorization", "Content-Type", "Range", "If-None-Match", "If-Range"),
            *tus.REQUEST_HEADERS,
        ],
        expose_headers=EXPOSED_HEADERS,
        max_age=600,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    install_observability(app, settings)
    _require_explicit_operation_ids(app)
    return app
