from fastapi import FastAPI

from vidvault.core.config import Settings
from vidvault.observability.logging import configure_logging, log_exchange
from vidvault.observability.metrics import Metrics
from vidvault.observability.middleware import ObservabilityMiddleware
from vidvault.observability.routes import RouteTemplates


def install_observability(app: FastAPI, settings: Settings) -> None:
    """Call last in the factory: the middleware then wraps all the others."""
    configure_logging(settings)
    app.state.metrics = Metrics()
    app.add_middleware(
        ObservabilityMiddleware,
        metrics=app.state.metrics,
        templates=RouteTemplates(app),
        on_exchange=log_exchange,
    )
