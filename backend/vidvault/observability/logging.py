"""Logs: one JSON object per line in production, readable text in development.

Every request gets one access line (method, route, path, status, duration,
bytes). The query string is never logged: stream URLs carry a token in it.
"""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from vidvault.core.config import Environment, LogFormat, Settings
from vidvault.observability.exchange import Exchange

APP_LOGGER = "vidvault"
ACCESS_LOGGER = "vidvault.access"
# uvicorn's own lines (start-up, errors) get the same format in JSON mode.
SERVER_LOGGERS = ("uvicorn", "uvicorn.error")
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s  %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class StdoutHandler(logging.Handler):
    """Writes to whatever sys.stdout is at the time, so a replaced stdout is honoured."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except Exception:
            self.handleError(record)


def effective_format(settings: Settings) -> LogFormat:
    if settings.log_format is not None:
        return settings.log_format
    if settings.environment is Environment.PRODUCTION:
        return LogFormat.JSON
    return LogFormat.TEXT


def make_formatter(log_format: LogFormat) -> logging.Formatter:
    if log_format is LogFormat.JSON:
        return JsonFormatter()
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(settings: Settings) -> None:
    """Idempotent: building several apps in one process leaves one handler."""
    formatter = make_formatter(effective_format(settings))
    logger = logging.getLogger(APP_LOGGER)
    for old in [h for h in logger.handlers if isinstance(h, StdoutHandler)]:
        logger.removeHandler(old)
    handler = StdoutHandler()
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if isinstance(formatter, JsonFormatter):
        for name in SERVER_LOGGERS:
            for server_handler in logging.getLogger(name).handlers:
                server_handler.setFormatter(formatter)


def access_fields(exchange: Exchange) -> dict[str, Any]:
    return {
        "method": exchange.method,
        "route": exchange.route,
        "path": exchange.path,
        "status": exchange.status,
        "duration_ms": round(exchange.seconds * 1000, 2),
        "bytes": exchange.sent_bytes,
        "request_bytes": exchange.received_bytes,
        "client": exchange.client,
    }


def log_exchange(exchange: Exchange) -> None:
    message = (
        f"{exchange.method} {exchange.path} -> {exchange.status} "
        f"in {exchange.seconds * 1000:.1f} ms, {exchange.sent_bytes} B"
    )
    logging.getLogger(ACCESS_LOGGER).info(message, extra={"fields": access_fields(exchange)})
