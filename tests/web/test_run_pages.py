"""The run page and its live stream through the ASGI app, with runs of the real offline pipeline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from ..api.conftest import PASSWORD, bearer, running
from .conftest import browser_for, csrf_token, form, sign_up

pytestmark = pytest.mark.slow

AGENT_COUNT = 11


@dataclass
class Message:
    event: str
    id: int | None
    data: str


def sse_messages(body: str) -> list[Message]:
    """Each SSE message's name, id and data (multi-line data joined as EventSource does)."""
    messages = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, list[str]] = {}
        for line in block.split("\n"):
            name, _, value = line.partition(": ")
            if name in ("id", "event", "data"):
                fields.setdefault(name, []).append(value)
        if "data" in fields:
            seq = fields.get("id")
            messages.append(
                Message(fields["event"][0], int(seq[0]) if seq else None, "\n".join(fields["data"]))
            )
    return messages


async def started_run(browser: httpx2.AsyncClient, healthtech: dict[str, Any], email: str) -> str:
    """Signs `email` up, then has the API analyze the example input: the queued run's id."""
    await sign_up(browser, email)
    token = await browser.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    auth = bearer(token.json()["access_token"])
    assessment = (await browser.post("/api/v1/assessments", json=healthtech, headers=auth)).json()
    accepted = await browser.post(f"/api/v1/assessments/{assessment['id']}/analyze", headers=auth)
    assert accepted.status_code == 202, accepted.text
    run_id: str = accepted.json()["id"]
    return run_id


def agent_states(page: str) -> dict[str, str]:
    return dict(re.findall(r'<tr id="agent-(\w+)" data-state="(\w+)"', page))


async def test_only_the_owner_sees_the_run_and_acts_on_it(app: FastAPI, healthtech: dict[str, Any]) -> None:
    async with browser_for(app) as ada, browser_for(app) as bob:
        run_id = await started_run(ada, healthtech, "ada@example.com")
        await sign_up(bob, "bob@example.com")
        page = await ada.get(f"/runs/{run_id}")
        assert page.status_code == 200
        assert healthtech["company"]["name"] in page.text
        assert f'sse-connect="/runs/{run_id}/live?after=0"' in page.text
        assert 'class="badge status-queued"' in page.text
        assert "Cancel run" in page.text
        assert set(agent_states(page.text).values()) == {"queued"}

        token = await csrf_token(bob)
        assert (await bob.get(f"/runs/{run_id}")).status_code == 404
        assert (await bob.get(f"/runs/{run_id}/live")).status_code == 404
        assert (await bob.post(f"/runs/{run_id}/cancel", data=form(token))).status_code == 404
        assert (await bob.post(f"/runs/{run_id}/rerun-failed", data=form(token))).status_code == 404
        assert (await ada.get(f"/runs/{run_id}")).status_code == 200


async def test_a_finished_run_streams_every_event_as_fragments_and_resumes_without_duplicates(
    app: FastAPI, healthtech: dict[str, Any]
) -> None:
    async with browser_for(app) as ada:
        run_id = await started_run(ada, healthtech, "ada@example.com")
        async with running(app):
            followed = sse_messages((await ada.get(f"/runs/{run_id}/live")).text)
        replayed = await ada.get(f"/runs/{run_id}/live")
        assert replayed.headers["content-type"].startswith("text/event-stream")
        messages = sse_messages(replayed.text)
        assert [(m.event, m.id) for m in messages] == [(m.event, m.id) for m in followed]
        ids = [m.id for m in messages]
        assert ids == list(range(1, len(ids) + 1))
        assert messages[-1].event == "done"
        assert {m.event for m in messages[:-1]} == {"run", "phase", "agent"}
        assert all("hx-swap-oob" in m.data for m in messages)
        assert any(
            '<tr id="agent-research" data-state="completed" hx-swap-oob="true">' in m.data for m in messages
        )
        done = messages[-1].data
        assert f'hx-get="/runs/{run_id}/dashboard" hx-trigger="load"' in done
        assert set(agent_states(done).values()) == {"completed"}
        assert len(agent_states(done)) == AGENT_COUNT
        assert "Cancel run" not in done

        n = len(ids) - 3
        resumed = sse_messages(
            (await ada.get(f"/runs/{run_id}/live", headers={"Last-Event-ID": str(n)})).text
        )
        assert [m.id for m in resumed] == [n + 1, n + 2, n + 3]
        after_query = sse_messages((await ada.get(f"/runs/{run_id}/live", params={"after": n + 1})).text)
        assert [m.id for m in after_query] == [n + 2, n + 3]
        at_the_end = sse_messages(
            (await ada.get(f"/runs/{run_id}/live", headers={"Last-Event-ID": str(len(ids))})).text
        )
        assert [(m.event, m.id) for m in at_the_end] == [("done", None)]
        garbled = await ada.get(f"/runs/{run_id}/live", headers={"Last-Event-ID": "abc"})
        assert garbled.status_code == 422
        assert "Last-Event-ID" in garbled.text


async def test_a_completed_run_shows_every_agent_done_the_timeline_and_the_results(
    app: FastAPI, healthtech: dict[str, Any]
) -> None:
    async with browser_for(app) as ada:
        run_id = await started_run(ada, healthtech, "ada@example.com")
        async with running(app):
            await ada.get(f"/runs/{run_id}/live")
        page = (await ada.get(f"/runs/{run_id}")).text
        states = agent_states(page)
        assert len(states) == AGENT_COUNT
        assert set(states.values()) == {"completed"}
        assert "sse-connect" not in page
        assert 'class="badge status-completed"' in page
        assert page.count('<rect class="bar bar-completed"') == AGENT_COUNT
        assert '<li class="step-done"' in page
        assert "aria-current" not in page.split('id="run-phases"')[1].split("</ol>")[0]
        assert f'hx-get="/runs/{run_id}/dashboard" hx-trigger="load"' in page
        assert "Cancel run" not in page
        assert "Re-run failed agents" not in page

        token = await csrf_token(ada, f"/runs/{run_id}")
        refused = await ada.post(f"/runs/{run_id}/rerun-failed", data=form(token))
        assert refused.status_code == 409
        assert "nothing to re-run" in refused.text
        too_late = await ada.post(f"/runs/{run_id}/cancel", data=form(token))
        assert too_late.status_code == 409
        assert "nothing to cancel" in too_late.text


async def test_cancelling_an_active_run_goes_back_to_its_page(
    app: FastAPI, healthtech: dict[str, Any]
) -> None:
    async with browser_for(app) as ada:
        run_id = await started_run(ada, healthtech, "ada@example.com")
        token = await csrf_token(ada, f"/runs/{run_id}")
        cancelled = await ada.post(f"/runs/{run_id}/cancel", data=form(token))
        assert cancelled.status_code == 303
        assert cancelled.headers["location"] == f"/runs/{run_id}"
        page = (await ada.get(f"/runs/{run_id}")).text
        assert 'class="badge status-cancelled"' in page
        assert "Cancel run" not in page
        assert set(agent_states(page).values()) == {"cancelled"}
        assert "No agent ran in this run." in page
        assert page.count('class="step-skipped"') == 3
        stream = sse_messages((await ada.get(f"/runs/{run_id}/live")).text)
        assert stream[-1].event == "done"
        assert 'class="badge status-cancelled"' in stream[-1].data
        again = await ada.post(f"/runs/{run_id}/cancel", data=form(token), headers={"hx-request": "true"})
        assert again.status_code == 409
        unsigned = await ada.post(f"/runs/{run_id}/cancel")
        assert unsigned.status_code == 403
