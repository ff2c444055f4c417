"""Re-running the failed agents from the run page, with the real offline agents and one that fails."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from infra_mind.agents.base import Agent

from ..api.conftest import running
from ..api.test_rerun_failed import FLAKY_AGENT, BreakableAgent, app_with_breakable_agent, breakable
from .conftest import browser_for, csrf_token, form
from .test_run_pages import agent_states, sse_messages, started_run

__all__ = ["app_with_breakable_agent", "breakable"]

pytestmark = pytest.mark.slow


async def test_a_run_with_a_failed_agent_offers_the_rerun_and_it_opens_the_new_run(
    app_with_breakable_agent: FastAPI,
    breakable: tuple[list[Agent], BreakableAgent],
    healthtech: dict[str, Any],
) -> None:
    app, broken = app_with_breakable_agent, breakable[1]
    async with browser_for(app) as ada:
        source = await started_run(ada, healthtech, "ada@example.com")
        token = await csrf_token(ada, f"/runs/{source}")
        while_queued = await ada.post(f"/runs/{source}/rerun-failed", data=form(token))
        assert while_queued.status_code == 409
        assert "once it has ended" in while_queued.text

        async with running(app):
            done = sse_messages((await ada.get(f"/runs/{source}/live")).text)[-1]
            assert done.event == "done"
            assert "Re-run failed agents" in done.data
            page = (await ada.get(f"/runs/{source}")).text
            states = agent_states(page)
            assert states.pop(FLAKY_AGENT) == "failed"
            assert set(states.values()) == {"completed"}
            assert 'class="badge status-partial"' in page
            assert "the benchmark catalog is unreadable" in page
            assert "Re-run failed agents" in page

            broken.failing = False
            started = await ada.post(
                f"/runs/{source}/rerun-failed", data=form(token), headers={"hx-request": "true"}
            )
            assert started.status_code == 204
            rerun = started.headers["hx-redirect"].removeprefix("/runs/")
            assert rerun != source
            await ada.get(f"/runs/{rerun}/live")

        page = (await ada.get(f"/runs/{rerun}")).text
        assert f'<a href="/runs/{source}">the earlier run</a>' in page
        assert set(agent_states(page).values()) == {"completed"}
        assert page.count("(reused)") == len(agent_states(page)) - 1
        assert "reused from the earlier run" in page
        assert "Re-run failed agents" not in page
