"""runs.result no longer repeats the agents' outputs and the recommendations kept in their own tables

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# In Python, a run at a time, rather than in SQL: PostgreSQL's json functions refuse a document holding a
# \u0000 anywhere (a fetched page's text may), and a run's result is megabytes, so no batch holds many.
PARTS = ("agents", "recommendations")
runs = sa.table("runs", sa.column("id", sa.String), sa.column("result", sa.JSON))
agent_results = sa.table(
    "agent_results",
    sa.column("id", sa.BigInteger),
    sa.column("run_id", sa.String),
    sa.column("agent", sa.String),
    sa.column("data", sa.JSON),
)
recommendations = sa.table(
    "recommendations",
    sa.column("run_id", sa.String),
    sa.column("rank", sa.Integer),
    sa.column("data", sa.JSON),
)


def upgrade() -> None:
    connection = op.get_bind()
    for run_id in _runs_with_results(connection):
        result = _stored(connection, run_id)
        _store(connection, run_id, {key: value for key, value in result.items() if key not in PARTS})


def downgrade() -> None:
    connection = op.get_bind()
    for run_id in _runs_with_results(connection):
        agents = connection.execute(
            sa.select(agent_results.c.agent, agent_results.c.data)
            .where(agent_results.c.run_id == run_id)
            .order_by(agent_results.c.id)
        )
        ranked = connection.scalars(
            sa.select(recommendations.c.data)
            .where(recommendations.c.run_id == run_id)
            .order_by(recommendations.c.rank)
        )
        parts = {"agents": dict(agents.all()), "recommendations": list(ranked)}
        _store(connection, run_id, _stored(connection, run_id) | parts)


def _runs_with_results(connection: Connection) -> list[str]:
    return list(connection.scalars(sa.select(runs.c.id).where(runs.c.result.is_not(None))))


def _stored(connection: Connection, run_id: str) -> dict[str, Any]:
    return cast(dict[str, Any], connection.scalar(sa.select(runs.c.result).where(runs.c.id == run_id)))


def _store(connection: Connection, run_id: str, result: dict[str, Any]) -> None:
    connection.execute(sa.update(runs).where(runs.c.id == run_id).values(result=result))
