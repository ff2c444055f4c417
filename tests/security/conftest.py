"""The security suite: the API and the web UI through the real ASGI app, on SQLite and PostgreSQL."""

from __future__ import annotations

from ..api.conftest import (
    app,
    app_for,
    cheap_passwords,
    client,
    clock,
    database_url,
    db,
    postgresql_database,
    settings_for,
    sqlite_database,
)

__all__ = [
    "app",
    "app_for",
    "cheap_passwords",
    "client",
    "clock",
    "database_url",
    "db",
    "postgresql_database",
    "settings_for",
    "sqlite_database",
]
