"""Asking about an assessment's results: only after a run, always cited, kept in order as a history."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from .conftest import bearer, client_for, running, signed_in
from .test_runs_flow import sse_events

pytestmark = pytest.mark.slow

QUESTION = "What does the HIPAA compliance gap analysis say?"


async def completed_run(client: httpx2.AsyncClient, assessment_id: str, auth: dict[str, str]) -> str:
    run = (await client.post(f"/api/v1/assessments/{assessment_id}/analyze", headers=auth)).json()
    events = sse_events((await client.get(run["links"]["events"], headers=auth)).text)
    assert events[-1]["event"] == "run.completed"
    run_id: str = run["id"]
    return run_id


async def test_chat_answers_from_a_finished_run_with_citations_and_keeps_the_history(
    app: FastAPI, healthtech: dict[str, Any]
) -> None:
    async with running(app), client_for(app) as client:
        auth = bearer((await signed_in(client, "ada@example.com"))["access_token"])
        assessment = (await client.post("/api/v1/assessments", json=healthtech, headers=auth)).json()
        chat_url = f"/api/v1/assessments/{assessment['id']}/chat"

        too_early = await client.post(chat_url, json={"question": QUESTION}, headers=auth)
        run_id = await completed_run(client, assessment["id"], auth)
        answered = await client.post(chat_url, json={"question": QUESTION}, headers=auth)
        history = await client.get(chat_url, headers=auth)

    assert too_early.status_code == 409
    assert too_early.json()["error"] == "conflict"
    assert answered.status_code == 200, answered.text
    reply = answered.json()
    assert reply["run_id"] == run_id
    assert reply["question"] == QUESTION
    assert reply["answer"]
    assert reply["citations"]
    assert all(c["ref"] and c["title"] for c in reply["citations"])
    assert [(m["role"], m["text"], m["run_id"]) for m in history.json()] == [
        ("user", QUESTION, run_id),
        ("assistant", reply["answer"], run_id),
    ]
    assert history.json()[1]["citations"] == reply["citations"]


async def test_chat_refuses_another_assessments_run_and_an_overlong_question(
    app: FastAPI, healthtech: dict[str, Any]
) -> None:
    async with running(app), client_for(app) as client:
        auth = bearer((await signed_in(client, "ada@example.com"))["access_token"])
        first = (await client.post("/api/v1/assessments", json=healthtech, headers=auth)).json()
        second = (await client.post("/api/v1/assessments", json=healthtech, headers=auth)).json()
        await completed_run(client, first["id"], auth)
        second_run = await completed_run(client, second["id"], auth)
        chat_url = f"/api/v1/assessments/{first['id']}/chat"

        crossed = await client.post(chat_url, json={"question": QUESTION, "run_id": second_run}, headers=auth)
        overlong = await client.post(chat_url, json={"question": "why? " * 500}, headers=auth)
        history = await client.get(chat_url, headers=auth)

    assert crossed.status_code == 404
    assert crossed.json()["error"] == "not_found"
    assert overlong.status_code == 422
    assert [f["path"] for f in overlong.json()["fields"]] == ["question"]
    assert history.json() == []
