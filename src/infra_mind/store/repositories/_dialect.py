"""`INSERT ... ON CONFLICT DO NOTHING`, which SQLite and PostgreSQL spell the same way through SQLAlchemy."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from infra_mind.errors import ConfigurationError


def insert_or_ignore(session: Session, entity: Any) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(entity).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(entity).on_conflict_do_nothing()
    raise ConfigurationError(
        f"INFRA_MIND_DATABASE_URL: database dialect {dialect!r} is not supported (use SQLite or PostgreSQL)"
    )
