from __future__ import annotations

import csv
import io

import pytest

from infra_mind.domain.enums import Level, Pillar
from infra_mind.domain.findings import Priority, Recommendation
from infra_mind.reports.backlog import HEADER, backlog, backlog_csv, owner_role


def _rec(category: str, pillar: Pillar, **overrides: object) -> Recommendation:
    fields: dict[str, object] = {
        "id": "REC-001",
        "key": f"{category}:x",
        "title": "Do the thing",
        "category": category,
        "pillar": pillar,
        "priority": Priority.HIGH,
        "risk": Level.HIGH,
        "impact": 4,
        "effort": 2,
        "confidence": 0.9,
        "rationale": "because",
        "actions": ["act"],
        "agents": ["cto"],
        "rank": 1,
    }
    return Recommendation.model_validate(fields | overrides)


@pytest.mark.parametrize(
    ("category", "pillar", "owner"),
    [
        ("compliance", Pillar.SECURITY, "Compliance officer"),
        ("ai_ml", Pillar.COST, "ML engineer"),
        ("security", Pillar.OPERATIONAL_EXCELLENCE, "Security engineer"),
        ("network", Pillar.SECURITY, "Security engineer"),
        ("cloud_provider", Pillar.COST, "FinOps lead"),
        ("data", Pillar.RELIABILITY, "SRE"),
        ("compute", Pillar.PERFORMANCE, "Platform engineer"),
        ("strategy", Pillar.OPERATIONAL_EXCELLENCE, "Platform engineer"),
    ],
)
def test_owner_role_follows_category_then_pillar(category: str, pillar: Pillar, owner: str) -> None:
    assert owner_role(_rec(category, pillar)) == owner


def test_quotes_commas_and_line_breaks_round_trip_with_crlf_records() -> None:
    tricky = _rec(
        "cost",
        Pillar.COST,
        title='Use "spot", not on-demand, for batch',
        rationale='line one, with a comma\nline two with "quotes"',
        priority=Priority.CRITICAL,
        monthly_cost_delta=1234.5,
        agents=["cloud_engineer", "simulation"],
    )
    text = backlog_csv(backlog([tricky]))
    assert text.startswith(",".join(HEADER) + "\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(HEADER)
    row = dict(zip(HEADER, rows[1], strict=True))
    assert row["Title"] == row["Summary"] == tricky.title
    assert row["Description"].startswith(tricky.rationale)
    assert "- [ ] act" in row["Description"]
    assert row["Priority"] == "Urgent"
    assert row["Labels"] == row["Pillar"] == "cost"
    assert row["Owner role"] == "FinOps lead"
    assert (row["Monthly cost added USD"], row["Monthly cost in plan USD"]) == ("1234.50", "")
    assert row["Agents"] == "cloud_engineer, simulation"


def test_header_names_match_the_importers_and_carry_no_punctuation() -> None:
    assert HEADER[:2] == ("Title", "Description")
    assert {"Summary", "Priority", "Labels"} <= set(HEADER)
    assert all(name.replace(" ", "").isalnum() for name in HEADER)
