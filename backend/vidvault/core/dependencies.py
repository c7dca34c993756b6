"""Dependencies shared by every domain: settings and the database handle."""

from typing import Annotated

from fastapi import Depends, Request

from vidvault.core.config import Settings
from vidvault.core.database import Database
from vidvault.core.exceptions import DatabaseUnavailable


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    """The database, once it is prepared; until then every route needing it is 503."""
    database: Database = request.app.state.database
    if not database.ready.is_set():
        raise DatabaseUnavailable
    return database


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
