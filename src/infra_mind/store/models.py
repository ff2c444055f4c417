"""The tables. Portable types only (JSON, not JSONB); every datetime is aware and stored as UTC.

Deleting an assessment deletes it for real: its runs, events, results, reports and chat go with it
(ON DELETE CASCADE), because the input may hold a customer's private details and nothing reads a
deleted assessment again.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from infra_mind.store.types import BigIntId, UtcDateTime, new_id, utc_now

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ID_LENGTH = 36


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_RUN_STATES = (RunState.QUEUED, RunState.RUNNING)
_ACTIVE_SQL = "status IN ('queued', 'running')"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime,
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


def _id() -> Mapped[str]:
    return mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)


def _owner(table: str, *, nullable: bool = False) -> Mapped[Any]:
    return mapped_column(String(ID_LENGTH), ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=nullable)


def _created() -> Mapped[datetime]:
    return mapped_column(default=utc_now)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = _id()
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = _created()


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (Index(None, "user_id", "created_at"),)

    id: Mapped[str] = _id()
    user_id: Mapped[str] = _owner("users")
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(255), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = _created()
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"
    __table_args__ = (Index(None, "user_id"), Index(None, "family_id"))

    id: Mapped[str] = _id()
    user_id: Mapped[str] = _owner("users")
    token_hash: Mapped[str] = mapped_column(String(255), unique=True)
    family_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    created_at: Mapped[datetime] = _created()
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    replaced_by: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("refresh_tokens.id", ondelete="SET NULL")
    )


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (Index(None, "owner_id", "created_at"), Index(None, "owner_id", "name"))

    id: Mapped[str] = _id()
    owner_id: Mapped[str] = _owner("users")
    name: Mapped[str] = mapped_column(String(200))
    input: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _created()


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (
        UniqueConstraint("owner_id", "idempotency_key"),
        Index(None, "owner_id", "requested_at"),
        Index(None, "assessment_id", "requested_at"),
        Index(None, "status", "requested_at"),
        Index(None, "status", "heartbeat_at"),
        # At most one queued-or-running run per assessment, so two racing requests cannot both start one.
        Index(
            "uq_runs_active_assessment",
            "assessment_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
    )

    id: Mapped[str] = _id()
    assessment_id: Mapped[str] = _owner("assessments")
    # The assessment's version when the run was requested; None for runs older than the column.
    assessment_version: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[str] = _owner("users")
    status: Mapped[str] = mapped_column(String(16), default=RunState.QUEUED.value)
    mode: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    rerun_of: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("runs.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime] = _created()
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_event_seq: Mapped[int] = mapped_column(Integer, default=0)
    # How often a runner claimed the run: a run a restart interrupted twice is failed, never retried forever.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # Set by a cancel request; the runner executing the run (maybe in another process) polls it.
    cancel_requested_at: Mapped[datetime | None]
    # The lease of the worker executing the run (Celery runner): renewed while it runs; a stale one means
    # the worker died, and another may take the run over.
    worker: Mapped[str | None] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime | None]


class AgentResultRow(Base):
    __tablename__ = "agent_results"
    __table_args__ = (UniqueConstraint("run_id", "agent"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = _owner("runs")
    agent: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    duration_s: Mapped[float | None] = mapped_column(Float)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = _created()


class RecommendationRow(Base):
    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("run_id", "rank"),
        Index(None, "run_id", "priority"),
        Index(None, "run_id", "pillar"),
        Index(None, "run_id", "key"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = _owner("runs")
    rank: Mapped[int] = mapped_column(Integer)
    recommendation_id: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(16))
    pillar: Mapped[str] = mapped_column(String(32))
    agents: Mapped[list[str]]
    data: Mapped[dict[str, Any]]


class RecommendationAgent(Base):
    """One row per (recommendation, agent): filtering by agent without JSON operators."""

    __tablename__ = "recommendation_agents"
    __table_args__ = (Index(None, "run_id", "agent"),)

    recommendation_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    )
    agent: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[str] = _owner("runs")


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("run_id", "seq"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = _owner("runs")
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = _created()


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("run_id", "kind", "format"),
        CheckConstraint("content IS NOT NULL OR path IS NOT NULL", name="content_or_path"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = _owner("runs")
    kind: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(8))
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    path: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = _created()


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (Index(None, "assessment_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    assessment_id: Mapped[str] = _owner("assessments")
    run_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), ForeignKey("runs.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = _created()


class WebSession(Base):
    """A browser's sign-in to the web UI: the cookie holds a random token, the table its hash."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[str] = _id()
    user_id: Mapped[str] = _owner("users")
    token_hash: Mapped[str] = mapped_column(String(255), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = _created()
    last_seen_at: Mapped[datetime] = _created()
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AssessmentDraft(Base):
    """What a user has typed into the wizard so far, valid or not: nothing is lost on reload or error."""

    __tablename__ = "assessment_drafts"
    __table_args__ = (Index(None, "owner_id", "updated_at"),)

    id: Mapped[str] = _id()
    owner_id: Mapped[str] = _owner("users")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    step: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _created()
