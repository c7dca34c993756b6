"""The ASGI entry point for uvicorn: `uvicorn vidvault.asgi:app`."""

from vidvault.main import create_app

app = create_app()
