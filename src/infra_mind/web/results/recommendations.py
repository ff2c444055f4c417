"""The recommendations table: its filters (from the query string) and the rows they select."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.domain.enums import Pillar
from infra_mind.domain.findings import Priority
from infra_mind.errors import FieldError, InvalidInput, NotFound
from infra_mind.store.models import RecommendationRow, Run
from infra_mind.store.repositories import ResultRepository
from infra_mind.store.repositories.paging import Page

PAGE_SIZE = 50
PILLARS = tuple(p.value for p in Pillar)
PRIORITIES = tuple(p.value for p in Priority)


@dataclass(frozen=True)
class RecommendationFilters:
    pillar: str | None = None
    priority: str | None = None
    agent: str | None = None
    page: int = 1

    @classmethod
    def parse(
        cls,
        *,
        pillar: str | None,
        priority: str | None,
        agent: str | None,
        page: int,
        agents: tuple[str, ...],
    ) -> RecommendationFilters:
        """An empty value (the “all” option of a select) is no filter; an unknown one is a 422."""
        errors = []
        pillar, priority, agent = (_blank_is_none(v) for v in (pillar, priority, agent))
        if pillar is not None and pillar not in PILLARS:
            errors.append(FieldError("query.pillar", f"one of {', '.join(PILLARS)} (got {pillar!r})"))
        if priority is not None and priority not in PRIORITIES:
            errors.append(FieldError("query.priority", f"one of {', '.join(PRIORITIES)} (got {priority!r})"))
        if agent is not None and agent not in agents:
            errors.append(FieldError("query.agent", f"one of {', '.join(agents)} (got {agent!r})"))
        if errors:
            raise InvalidInput(errors)
        return cls(pillar=pillar, priority=priority, agent=agent, page=page)

    @property
    def active(self) -> bool:
        return any((self.pillar, self.priority, self.agent))

    def query(self, page: int | None = None) -> str:
        """The query string that reproduces these filters (on another page)."""
        values = {"pillar": self.pillar, "priority": self.priority, "agent": self.agent}
        chosen = {k: v for k, v in values.items() if v}
        if (page or self.page) > 1:
            chosen["page"] = str(page or self.page)
        return urlencode(chosen)


def _blank_is_none(value: str | None) -> str | None:
    return (value.strip() or None) if value else None


async def filtered(
    session: AsyncSession, owner_id: str, run_id: str, filters: RecommendationFilters
) -> Page[RecommendationRow]:
    return await ResultRepository(session).recommendations(
        owner_id,
        run_id,
        priority=filters.priority,
        pillar=filters.pillar,
        agent=filters.agent,
        limit=PAGE_SIZE,
        offset=(filters.page - 1) * PAGE_SIZE,
    )


async def recommendation_at(
    session: AsyncSession, owner_id: str, run_id: str, rank: int
) -> RecommendationRow:
    """The owner's run's recommendation at `rank`; anything else is a 404."""
    row = await session.scalar(
        select(RecommendationRow)
        .join(Run, Run.id == RecommendationRow.run_id)
        .where(RecommendationRow.run_id == run_id, RecommendationRow.rank == rank, Run.owner_id == owner_id)
    )
    if row is None:
        raise NotFound(f"run {run_id} has no recommendation ranked {rank}")
    return row
