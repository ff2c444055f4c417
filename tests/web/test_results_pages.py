"""The results dashboard of a run the embedded runner really finished (offline LLM), through the ASGI app."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from infra_mind.jobs.queue import RunQueue
from infra_mind.store.db import Database
from infra_mind.store.models import AgentResultRow, Assessment, RunState
from infra_mind.store.repositories import RunRepository
from infra_mind.web.formatting import usd
from infra_mind.web.results.recommendations import PAGE_SIZE

from ..api.conftest import bearer, client_for, login
from ..api.test_runs_flow import sse_events
from .conftest import browser_for, running, sign_up

pytestmark = pytest.mark.slow

HTMX = {"hx-request": "true"}


@dataclass(frozen=True)
class FinishedRun:
    run_id: str
    assessment_id: str
    result: dict[str, Any]


async def finished_run(app: FastAPI, db: Database, email: str, spec: dict[str, Any]) -> FinishedRun:
    """`email` (signed up in a browser) creates and analyzes `spec` through the API; waits for the end.

    Call inside `running(app)`.
    """
    async with client_for(app) as api:
        auth = bearer((await login(api, email)).json()["access_token"])
        assessment = (await api.post("/api/v1/assessments", json=spec, headers=auth)).json()
        run = (await api.post(f"/api/v1/assessments/{assessment['id']}/analyze", headers=auth)).json()
        events = sse_events((await api.get(run["links"]["events"], headers=auth)).text)
    assert events[-1]["event"] == "run.completed"
    async with db.session() as session:
        stored = await RunRepository(session).result(run["id"])
        assert stored is not None
        return FinishedRun(run["id"], assessment["id"], stored)


def chart_figures(page: str, chart: str) -> Any:
    """The figures a chart's canvas carries for dashboard.js (HTML-escaped JSON in data-figures)."""
    found = re.search(rf'<canvas data-chart="{chart}" data-figures=\'(.*?)\'', page, re.S)
    assert found is not None, f"no {chart} chart"
    return json.loads(unescape(found.group(1)))


def agent_state(page: str, agent: str) -> str | None:
    """The state badge of `agent`'s row in the dashboard's agent table."""
    found = re.search(
        rf'id="agent-{agent}"><th scope="row">{agent}</th><td><span class="badge status-(\w+)"', page
    )
    return found.group(1) if found else None


def recommendation_ranks(page: str) -> list[int]:
    return [int(rank) for rank in re.findall(r'<tr class="recommendation" data-rank="(\d+)">', page)]


async def test_the_dashboard_shows_the_cost_model_recommendations_compliance_and_agents(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with running(app), browser_for(app) as ada:
        await sign_up(ada, "ada@example.com")
        done = await finished_run(app, db, "ada@example.com", healthtech)
        fragment = await ada.get(f"/runs/{done.run_id}/dashboard", headers=HTMX)
        page = await ada.get(f"/runs/{done.run_id}/dashboard")

    assert fragment.status_code == 200, fragment.text
    html = fragment.text
    assert "<html" not in html
    cost_model = done.result["cost_model"]
    agents = done.result["agents"]
    quotes = {q["provider"]: q for q in agents["cloud_engineer"]["output"]["quotes"]}
    assert set(quotes) == {"aws", "azure", "gcp"}
    for provider, quote in quotes.items():
        card = re.search(rf'id="provider-{provider}">(.*?)</li>', html, re.S)
        assert card is not None
        assert usd(quote["monthly_usd"], 2) in card.group(1)
        first_month = next(s for s in cost_model["scenarios"][0]["series"] if s["provider"] == provider)
        assert first_month["monthly_usd"][0] == pytest.approx(quote["monthly_usd"], abs=0.01)

    bars = chart_figures(html, "provider-bars")
    assert bars["labels"] == [p.upper() for p in quotes]
    totals = [sum(values) for values in zip(*(d["data"] for d in bars["datasets"]), strict=True)]
    assert totals == pytest.approx([q["monthly_usd"] for q in quotes.values()], abs=0.01)

    chosen = agents["cloud_engineer"]["output"]["recommended_provider"]
    lines = chart_figures(html, "scenario-lines")
    assert lines["provider"] == chosen.upper()
    assert len(lines["datasets"]) == len(cost_model["scenarios"])
    for dataset, scenario in zip(lines["datasets"], cost_model["scenarios"], strict=True):
        series = next(s for s in scenario["series"] if s["provider"] == chosen)
        assert dataset["data"] == series["monthly_usd"]
        assert usd(series["total_36m_usd"]) in html
    assert html.count('role="img"') == 2

    total = len(done.result["recommendations"])
    assert recommendation_ranks(html) == list(range(1, min(total, PAGE_SIZE) + 1))
    if total > PAGE_SIZE:
        assert f"Page 1 of {-(-total // PAGE_SIZE)}" in html
    for framework in done.result["compliance"]["frameworks"]:
        row = re.search(rf'id="framework-{framework["framework"]}">(.*?)</tr>', html, re.S)
        assert row is not None
        assert f"{framework['coverage_now_pct']}%" in row.group(1)
        assert f"{framework['coverage_by_design_pct']}%" in row.group(1)
    for risk in agents["cto"]["output"]["risks"]:
        assert risk["mitigation"].replace("'", "&#39;") in html
    assert agents["cto"]["output"]["roadmap"][0]["name"] in html
    assert {name: agent_state(html, name) for name in agents} == dict.fromkeys(agents, "completed")
    for kind in ("executive", "technical", "cfo", "ciso", "engineering_lead"):
        for fmt in ("md", "html", "pdf", "json"):
            assert f'href="/runs/{done.run_id}/download/{kind}/{fmt}"' in html
    assert f'href="/runs/{done.run_id}/download/backlog/csv"' in html
    assert f'hx-post="/assessments/{done.assessment_id}/ask"' in html

    assert page.status_code == 200
    assert "<html" in page.text
    assert '<script src="/static/dashboard.js" defer></script>' in page.text
    assert "<h1>Results" in page.text


async def test_the_filters_narrow_the_recommendations_and_each_opens_with_its_evidence(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with running(app), browser_for(app) as ada:
        await sign_up(ada, "ada@example.com")
        done = await finished_run(app, db, "ada@example.com", healthtech)
        table = f"/runs/{done.run_id}/recommendations"
        by_priority = await ada.get(table, params={"priority": "critical"}, headers=HTMX)
        by_pillar = await ada.get(table, params={"pillar": "security", "priority": ""}, headers=HTMX)
        by_agent = await ada.get(table, params={"agent": "compliance"}, headers=HTMX)
        shared_link = await ada.get(table, params={"pillar": "security"})
        prefiltered = await ada.get(f"/runs/{done.run_id}/dashboard", params={"pillar": "cost"}, headers=HTMX)
        unknown = await ada.get(table, params={"pillar": "vibes"})
        detail = await ada.get(f"{table}/1", headers=HTMX)
        detail_page = await ada.get(f"{table}/1")
        missing = await ada.get(f"{table}/9999", headers=HTMX)

    recommendations = done.result["recommendations"]

    def expected(keep: Any) -> list[int]:
        return [rank for rank, r in enumerate(recommendations, start=1) if keep(r)][:PAGE_SIZE]

    for response, keep in (
        (by_priority, lambda r: r["priority"] == "critical"),
        (by_pillar, lambda r: r["pillar"] == "security"),
        (by_agent, lambda r: "compliance" in r["agents"]),
        (prefiltered, lambda r: r["pillar"] == "cost"),
    ):
        assert response.status_code == 200, response.text
        ranks = expected(keep)
        assert ranks, "the example should give something to filter"
        assert recommendation_ranks(response.text) == ranks
    assert by_priority.text.startswith('<div id="recommendations"')
    assert "<html" in shared_link.text
    assert '<option value="security" selected>' in shared_link.text
    assert recommendation_ranks(shared_link.text) == expected(lambda r: r["pillar"] == "security")
    assert unknown.status_code == 422
    assert "query.pillar" in unknown.text

    first = recommendations[0]
    assert detail.status_code == 200
    assert first["rationale"].replace("'", "&#39;") in detail.text
    assert first["evidence"], "the top recommendation should carry evidence"
    for evidence in first["evidence"]:
        assert f"<code>{evidence['ref']}</code>" in detail.text
    assert "<html" in detail_page.text
    assert first["title"].replace("'", "&#39;") in detail_page.text
    assert missing.status_code == 404


async def test_a_run_without_results_says_when_they_come_or_that_none_came(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with browser_for(app) as ada:
        await sign_up(ada, "ada@example.com")
        async with client_for(app) as api:
            auth = bearer((await login(api, "ada@example.com")).json()["access_token"])
            created = (await api.post("/api/v1/assessments", json=healthtech, headers=auth)).json()
        async with db.session() as session:
            assessment = await session.get(Assessment, created["id"])
            assert assessment is not None
            run, _ = await RunRepository(session).create(assessment.owner_id, assessment.id, mode="parallel")
        queued = await ada.get(f"/runs/{run.id}/dashboard", headers=HTMX)
        async with db.session() as session:
            await RunQueue(session).move(run.id, RunState.QUEUED, RunState.CANCELLED)
        cancelled = await ada.get(f"/runs/{run.id}/dashboard", headers=HTMX)

    assert queued.status_code == 200
    assert "The results appear when the run ends" in queued.text
    assert 'class="badge status-queued"' in queued.text
    assert cancelled.status_code == 200
    assert "without results" in cancelled.text
    assert 'class="badge status-cancelled"' in cancelled.text
    assert "download" not in cancelled.text
    assert "chat-form" not in cancelled.text


async def test_another_user_gets_404_for_the_dashboard_and_its_parts(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with running(app), browser_for(app) as ada, browser_for(app) as bob:
        await sign_up(ada, "ada@example.com")
        await sign_up(bob, "bob@example.com")
        done = await finished_run(app, db, "ada@example.com", healthtech)
        urls = [
            f"/runs/{done.run_id}/dashboard",
            f"/runs/{done.run_id}/recommendations",
            f"/runs/{done.run_id}/recommendations/1",
            f"/assessments/{done.assessment_id}/ask",
        ]
        answers = [await bob.get(url, headers=headers) for url in urls for headers in ({}, HTMX)]

    assert [a.status_code for a in answers] == [404] * len(answers)
    assert all("Not found" in a.text for a in answers)


async def test_signed_out_the_dashboard_sends_to_sign_in(app: FastAPI) -> None:
    async with browser_for(app) as stranger:
        answer = await stranger.get("/runs/some-run/dashboard")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


async def test_a_section_whose_agent_failed_says_why_and_the_rest_still_shows(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with running(app), browser_for(app) as ada:
        await sign_up(ada, "ada@example.com")
        done = await finished_run(app, db, "ada@example.com", healthtech)
        async with db.session() as session:
            row = await session.scalar(
                select(AgentResultRow).where(
                    AgentResultRow.run_id == done.run_id, AgentResultRow.agent == "cloud_engineer"
                )
            )
            assert row is not None
            error = {"type": "TimeoutError", "message": "no answer within 30 s", "transient": True}
            row.status = "timed_out"
            row.data = row.data | {"status": "timed_out", "output": None, "error": error}
        answer = await ada.get(f"/runs/{done.run_id}/dashboard", headers=HTMX)

    assert answer.status_code == 200, answer.text
    html = answer.text
    assert "This section is missing: the cloud_engineer agent timed out: no answer within 30 s." in html
    assert 'id="provider-aws"' not in html
    assert 'data-chart="provider-bars"' not in html
    assert chart_figures(html, "scenario-lines")["datasets"]
    assert agent_state(html, "cloud_engineer") == "timed_out"
    assert 'id="framework-hipaa"' in html
