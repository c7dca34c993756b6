"""Dependencies shared by every domain: settings and the database handle."""

from typing import Annotated

from fastapi import Depends, Request

from vidvault.core.config import Settings
from vidvault.core.database import Database


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
