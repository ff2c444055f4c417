"""Persistence: SQLAlchemy models, repositories and alembic migrations (the domain core never imports it)."""
