from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select, delete, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, Session

from infra_mind.domain.agent_result import AgentStatus
from infra_mind.store.models import AgentResultRow, RecommendationAgent, RecommendationRow, Report, Run
from infra_mind.store.repositories.paging import Page, paginate
from infra_mind.store.repositories.runs import store_result
from infra_mind.store.types import JsonText, dump_json, utc_now

T = TypeVar("T")


class AgentOutcome(NamedTuple):
    agent: str
    status: str
    attempts: int
    duration_s: float | None
    error: str | None


class AgentResultValues(NamedTuple):
    agent: str
    status: str
    attempts: int
    duration_s: float | None
    data: dict[str, Any] | JsonText


class RenderedReport(NamedTuple):
    kind: str
    format: str
    media_type: str
    content: bytes


class ResultRepository:
    """What a run produced: agent results, ranked recommendations, rendered reports.

    Writers (the runner) take a run id; readers take the owner's id too and see only their runs.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save_agent_result(
        self,
        run_id: str,
        agent: str,
        *,
        status: str,
        attempts: int,
        duration_s: float | None,
        data: dict[str, Any],
    ) -> None:
        """Replaces the agent's earlier result in this run, if any."""
        await self.save_agent_results(run_id, [AgentResultValues(agent, status, attempts, duration_s, data)])

    async def save_agent_results(self, run_id: str, results: list[AgentResultValues]) -> None:
        await self.session.run_sync(save_agent_results, run_id, results)

    async def agent_results(self, owner_id: str, run_id: str) -> list[AgentResultRow]:
        query = self._owned(select(AgentResultRow), AgentResultRow.run_id, owner_id, run_id)
        return list((await self.session.scalars(query.order_by(AgentResultRow.agent))).all())

    async def agent_outcomes(self, owner_id: str, run_id: str) -> list[AgentOutcome]:
        """Each agent's status and error message, leaving its data (up to megabytes) in the database."""
        query = self._owned(
            select(
                AgentResultRow.agent,
                AgentResultRow.status,
                AgentResultRow.attempts,
                AgentResultRow.duration_s,
                AgentResultRow.data[("error", "message")].as_string(),
            ),
            AgentResultRow.run_id,
            owner_id,
            run_id,
        )
        rows = await self.session.execute(query.order_by(AgentResultRow.agent))
        return [AgentOutcome(*row) for row in rows]

    async def completed_agent_results(self, run_id: str) -> dict[str, dict[str, Any]]:
        """The stored data of the run's completed agents, by agent; for the runner, so no owner check."""
        rows = await self.session.scalars(
            select(AgentResultRow).where(
                AgentResultRow.run_id == run_id, AgentResultRow.status == AgentStatus.COMPLETED.value
            )
        )
        return {row.agent: row.data for row in rows}

    async def save_recommendations(self, run_id: str, recommendations: list[dict[str, Any]]) -> int:
        return await self.session.run_sync(save_recommendations, run_id, recommendations)

    async def recommendations(
        self,
        owner_id: str,
        run_id: str,
        *,
        priority: str | None = None,
        pillar: str | None = None,
        agent: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[RecommendationRow]:
        query = self._owned(select(RecommendationRow), RecommendationRow.run_id, owner_id, run_id)
        if priority:
            query = query.where(RecommendationRow.priority == priority)
        if pillar:
            query = query.where(RecommendationRow.pillar == pillar)
        if agent:
            by_agent = select(RecommendationAgent.recommendation_id).where(
                RecommendationAgent.run_id == run_id, RecommendationAgent.agent == agent
            )
            query = query.where(RecommendationRow.id.in_(by_agent))
        return await paginate(
            self.session, query.order_by(RecommendationRow.rank), limit=limit, offset=offset
        )

    async def save_report(
        self,
        run_id: str,
        *,
        kind: str,
        format: str,
        media_type: str,
        content: bytes | None = None,
        path: str | None = None,
        size: int | None = None,
    ) -> Report:
        """Either the bytes or a path to them (large artefacts on disk); replaces the same kind+format."""
        if (content is None) == (path is None):
            raise ValueError("a report is stored as content or as a path, exactly one of them")
        await self.session.execute(
            delete(Report).where(Report.run_id == run_id, Report.kind == kind, Report.format == format)
        )
        report = Report(
            run_id=run_id,
            kind=kind,
            format=format,
            media_type=media_type,
            content=content,
            path=path,
            size=len(content) if content is not None else (size or 0),
            created_at=utc_now(),
        )
        self.session.add(report)
        await self.session.flush()
        return report

    async def save_rendered_reports(self, run_id: str, reports: list[RenderedReport]) -> None:
        await self.session.run_sync(save_rendered_reports, run_id, reports)

    async def report(self, owner_id: str, run_id: str, *, kind: str, format: str) -> Report | None:
        query = self._owned(select(Report), Report.run_id, owner_id, run_id)
        return await self.session.scalar(query.where(Report.kind == kind, Report.format == format))

    async def reports(self, owner_id: str, run_id: str) -> list[Report]:
        query = self._owned(select(Report), Report.run_id, owner_id, run_id)
        return list((await self.session.scalars(query.order_by(Report.kind, Report.format))).all())

    @staticmethod
    def _owned(
        query: Select[T], run_column: InstrumentedAttribute[str], owner_id: str, run_id: str
    ) -> Select[T]:
        return query.join(Run, Run.id == run_column).where(run_column == run_id, Run.owner_id == owner_id)


# The runner's writes, as plain functions of a blocking session: a SQLite writer thread runs each
# transaction whole (Database.run_transaction); the repository's methods run them through `run_sync`.


def save_agent_results(session: Session, run_id: str, results: list[AgentResultValues]) -> None:
    """Replaces these agents' earlier results in this run, if any: one delete, one insert."""
    if not results:
        return
    agents = [values.agent for values in results]
    session.execute(
        delete(AgentResultRow).where(AgentResultRow.run_id == run_id, AgentResultRow.agent.in_(agents))
    )
    now = utc_now()
    # JsonText goes to the column as it is (store.types.dump_json); reads give the dict back.
    session.execute(
        insert(AgentResultRow),
        [{"run_id": run_id, **values._asdict(), "created_at": now} for values in results],
    )


def save_recommendations(session: Session, run_id: str, recommendations: list[dict[str, Any]]) -> int:
    """Replaces the run's list; each item is a domain Recommendation dumped to JSON, in rank order.
    Three statements whatever the length of the list, and the items dumped before the first of them:
    on SQLite a write holds the database's one write lock until the commit."""
    rows = [
        {
            "run_id": run_id,
            "rank": rank,
            "recommendation_id": item["id"],
            "key": item["key"],
            "title": item["title"],
            "category": item["category"],
            "priority": item["priority"],
            "pillar": item["pillar"],
            "agents": list(item["agents"]),
            "data": JsonText(dump_json(item)),
        }
        for rank, item in enumerate(recommendations, start=1)
    ]
    session.execute(delete(RecommendationRow).where(RecommendationRow.run_id == run_id))
    if not rows:
        return 0
    # Not in the order given (SQLite's RETURNING has none), hence the rank with each id.
    inserted = session.execute(
        insert(RecommendationRow).returning(RecommendationRow.rank, RecommendationRow.id), rows
    )
    ids = dict(inserted.all())
    session.execute(
        insert(RecommendationAgent),
        [
            {"recommendation_id": ids[row["rank"]], "agent": agent, "run_id": run_id}
            for row in rows
            for agent in dict.fromkeys(row["agents"])
        ],
    )
    return len(rows)


def save_rendered_reports(session: Session, run_id: str, reports: list[RenderedReport]) -> None:
    """A run's reports, stored as bytes, replacing the same kinds+formats: one delete, one insert."""
    if not reports:
        return
    session.execute(
        delete(Report).where(
            Report.run_id == run_id,
            tuple_(Report.kind, Report.format).in_([(r.kind, r.format) for r in reports]),
        )
    )
    now = utc_now()
    session.execute(
        insert(Report),
        [{"run_id": run_id, **r._asdict(), "size": len(r.content), "created_at": now} for r in reports],
    )


@dataclass(frozen=True)
class DumpedResults:
    """A run's data as the database stores it: dumped once, before any write."""

    agents: list[AgentResultValues]
    recommendations: list[dict[str, Any]]
    result: JsonText
    metrics: dict[str, Any]


def save_results(session: Session, run_id: str, dumped: DumpedResults) -> None:
    """Agent results, ranked recommendations and the rest of the result JSON: the run's data, which stays
    whatever then happens to its reports (they can be rendered again from it)."""
    # The recommendations first: their items are dumped before their first statement.
    save_recommendations(session, run_id, dumped.recommendations)
    save_agent_results(session, run_id, dumped.agents)
    store_result(session, run_id, result=dumped.result, metrics=dumped.metrics)
