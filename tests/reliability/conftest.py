"""The reliability suite: real components under faults. Sizes come from the environment so CI stays quick
(the defaults) while the published figures use larger runs, e.g. RELIABILITY_RUNS=50."""

from __future__ import annotations

import os

from ..api.conftest import app_for, cheap_passwords, clock, settings_for
from ..jobs.celery.conftest import api_app, pg_url, slow_llm, stack, stack_env
from ..store.conftest import database_url, db, postgresql_database, sqlite_database

__all__ = [
    "api_app",
    "app_for",
    "cheap_passwords",
    "clock",
    "database_url",
    "db",
    "pg_url",
    "postgresql_database",
    "settings_for",
    "slow_llm",
    "sqlite_database",
    "stack",
    "stack_env",
]


def size(name: str, default: int) -> int:
    """A suite size from RELIABILITY_<NAME>, at least 1."""
    value = os.environ.get(f"RELIABILITY_{name}", "").strip()
    return max(1, int(value)) if value else default


def backends(default: str) -> list[str]:
    """The database backends a scenario runs on: RELIABILITY_BACKENDS=sqlite,postgresql for both."""
    return os.environ.get("RELIABILITY_BACKENDS", default).split(",")
