"""Dependencies shared by every domain: settings and the database handle.

Even the trivial ones are `async def`: FastAPI runs a plain `def` dependency
in a worker thread, a hand-off each way on every request (about a third of a
millisecond each on the shared test machine, before a resumable upload's
PATCH could make its claim).
"""

from typing import Annotated

from fastapi import Depends, Request

from vidvault.core.config import Settings
from vidvault.core.database import Database
from vidvault.core.exceptions import DatabaseUnavailable


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    """The database, once it is prepared; until then every route needing it is 503."""
    database: Database = request.app.state.database
    if not database.ready.is_set():
        raise DatabaseUnavailable
    return database


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
