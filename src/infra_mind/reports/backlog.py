"""The ranked recommendations as a backlog CSV that issue trackers import (RFC 4180).

Column names are the ones the importers match without mapping: Title (GitHub/GitLab/Linear; GitLab takes
the first two columns as title and description), Description, Summary (Jira's required column), Priority
and Labels. Priorities use Linear's names (Urgent, High, Medium, Low); Jira's importer maps values.
Labels holds one label, the pillar, so no importer has to split a list.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from infra_mind.domain.enums import Pillar
from infra_mind.domain.findings import Priority, Recommendation

HEADER = (
    "Title",
    "Description",
    "Summary",
    "Priority",
    "Labels",
    "Owner role",
    "Effort",
    "Pillar",
    "Category",
    "ID",
    "Key",
    "Agents",
    "Monthly cost in plan USD",
    "Monthly cost added USD",
)
TRACKER_PRIORITY = {
    Priority.CRITICAL: "Urgent",
    Priority.HIGH: "High",
    Priority.MEDIUM: "Medium",
    Priority.LOW: "Low",
}
OWNER_BY_CATEGORY = {
    "compliance": "Compliance officer",
    "ai_ml": "ML engineer",
    "security": "Security engineer",
}
OWNER_BY_PILLAR = {
    Pillar.SECURITY: "Security engineer",
    Pillar.COST: "FinOps lead",
    Pillar.RELIABILITY: "SRE",
}
DEFAULT_OWNER = "Platform engineer"
OWNER_RULE = (
    "owner role follows the category first (compliance → Compliance officer, ai_ml → ML engineer, "
    "security → Security engineer), then the pillar (security → Security engineer, cost → FinOps lead, "
    "reliability → SRE); anything else goes to a Platform engineer"
)


@dataclass(frozen=True)
class BacklogItem:
    rec: Recommendation
    owner: str

    @property
    def tracker_priority(self) -> str:
        return TRACKER_PRIORITY[self.rec.priority]


def owner_role(rec: Recommendation) -> str:
    return OWNER_BY_CATEGORY.get(rec.category) or OWNER_BY_PILLAR.get(rec.pillar, DEFAULT_OWNER)


def backlog(recommendations: list[Recommendation]) -> list[BacklogItem]:
    return [BacklogItem(rec, owner_role(rec)) for rec in recommendations]


def backlog_csv(items: list[BacklogItem]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerow(HEADER)
    for item in items:
        rec = item.rec
        writer.writerow(
            (
                rec.title,
                _description(item),
                rec.title,
                item.tracker_priority,
                rec.pillar.value,
                item.owner,
                rec.effort,
                rec.pillar.value,
                rec.category,
                rec.id,
                rec.key,
                ", ".join(rec.agents),
                _money(rec.monthly_cost_in_plan),
                _money(rec.monthly_cost_delta),
            )
        )
    return buffer.getvalue()


def _description(item: BacklogItem) -> str:
    rec = item.rec
    lines = [
        rec.rationale,
        "",
        *(f"- [ ] {action}" for action in rec.actions),
        "",
        f"Rank {rec.rank} · priority {rec.priority.value} · impact {rec.impact}/5 · effort {rec.effort}/5 · "
        f"confidence {rec.confidence:.0%} · proposed by {', '.join(rec.agents)}",
    ]
    if rec.evidence:
        lines += ["", "Evidence:", *(f"- {e.ref}: {e.detail}" for e in rec.evidence)]
    return "\n".join(lines)


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"
