"""Exception handlers: domain errors keep their status; a lost database is a 503."""

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pymongo.errors import ConnectionFailure, ServerSelectionTimeoutError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

from vidvault.core.exceptions import AppError, DatabaseUnavailable

logger = logging.getLogger(__name__)

PROBED_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


async def _app_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AppError)
    return JSONResponse(
        {"detail": error.message}, status_code=error.status_code, headers=error.headers
    )


async def _invalid_request(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    # The offending input is not echoed back: it may be a password, it may be
    # huge, and it may not even be valid JSON (1e999 parses to infinity).
    errors = [{k: v for k, v in e.items() if k != "input"} for e in error.errors()]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 400 and error.__cause__ is not None:
        # FastAPI's "error parsing the body" (bytes that are not text, say) is a
        # 400 that no route declares; it is the same mistake as malformed JSON.
        body_error = {"type": "json_invalid", "loc": ["body"], "msg": "The body cannot be parsed"}
        return JSONResponse({"detail": [body_error]}, status_code=422)
    if error.status_code == 405:
        error.headers = {"Allow": _allowed_methods(request)}
    return await http_exception_handler(request, error)


def _allowed_methods(request: Request) -> str:
    # Starlette names only the methods of the first route that matched the
    # path; a path can have several (GET and POST /videos): ask every route.
    allowed = [
        method
        for method in PROBED_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed)


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    logger.warning("database unavailable during %s %s: %s", request.method, request.url.path, error)
    return await _app_error(request, DatabaseUnavailable())


async def _client_disconnected(_: Request, __: Exception) -> Response:
    # Nobody is left to read this; answering keeps the server from logging a crash.
    # The upload path has already removed whatever the request had written.
    return Response(status_code=400)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(ClientDisconnect, _client_disconnected)
    # ServerSelectionTimeoutError and AutoReconnect are both ConnectionFailures.
    app.add_exception_handler(ConnectionFailure, _database_unavailable)
    app.add_exception_handler(ServerSelectionTimeoutError, _database_unavailable)
