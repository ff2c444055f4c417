"""Report downloads with the session cookie, and the chat panel, on a run the embedded runner finished."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from fastapi import FastAPI

from infra_mind.api.routers.reports import REPORT_CSP
from infra_mind.store.db import Database

from .conftest import browser_for, csrf_token, form, running, sign_up
from .test_results_pages import HTMX, finished_run

pytestmark = pytest.mark.slow

KINDS = ("executive", "technical", "cfo", "ciso", "engineering_lead")
QUESTION = "What does the HIPAA compliance gap analysis say?"


async def test_every_report_downloads_in_every_format_for_its_owner_only(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with running(app), browser_for(app) as ada, browser_for(app) as bob:
        await sign_up(ada, "ada@example.com")
        await sign_up(bob, "bob@example.com")
        done = await finished_run(app, db, "ada@example.com", healthtech)
        base = f"/runs/{done.run_id}/download"
        downloads = {
            (kind, fmt): await ada.get(f"{base}/{kind}/{fmt}")
            for kind in KINDS
            for fmt in ("md", "html", "pdf", "json")
        }
        backlog = await ada.get(f"{base}/backlog/csv")
        mismatched = await ada.get(f"{base}/executive/csv")
        unknown_kind = await ada.get(f"{base}/novel/md")
        bobs = [await bob.get(f"{base}/executive/{fmt}") for fmt in ("md", "pdf")]
        bobs.append(await bob.get(f"{base}/backlog/csv"))

    for (kind, fmt), answer in downloads.items():
        assert answer.status_code == 200, (kind, fmt, answer.text[:300])
        assert (
            f'filename="infra-mind-{done.run_id[:8]}-{kind}.{fmt}"' in answer.headers["content-disposition"]
        )
    for kind in KINDS:
        assert downloads[(kind, "pdf")].content.startswith(b"%PDF")
        assert downloads[(kind, "pdf")].headers["content-type"] == "application/pdf"
        assert json.loads(downloads[(kind, "json")].content)["report"] == kind
        assert downloads[(kind, "html")].headers["content-security-policy"] == REPORT_CSP
        assert downloads[(kind, "md")].headers["content-type"].startswith("text/markdown")
    assert backlog.status_code == 200
    assert backlog.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(backlog.text)))
    assert [row["ID"] for row in rows] == [r["id"] for r in done.result["recommendations"]]
    assert mismatched.status_code == 404
    assert unknown_kind.status_code == 422
    assert [b.status_code for b in bobs] == [404, 404, 404]


async def test_the_chat_answers_with_citations_and_keeps_the_history(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with running(app), browser_for(app) as ada:
        await sign_up(ada, "ada@example.com")
        done = await finished_run(app, db, "ada@example.com", healthtech)
        token = await csrf_token(ada)
        ask = f"/assessments/{done.assessment_id}/ask"
        answered = await ada.post(
            ask, data={"question": QUESTION, "run_id": done.run_id}, headers=HTMX | {"x-csrf-token": token}
        )
        plain = await ada.post(
            ask, data=form(token, question="Which provider is cheapest?", run_id=done.run_id)
        )
        history = await ada.get(ask, headers=HTMX)
        dashboard = await ada.get(f"/runs/{done.run_id}/dashboard", headers=HTMX)

    assert answered.status_code == 200, answered.text
    assert answered.text.startswith('<form id="chat-form"')
    assert '<textarea id="chat-question" name="question" rows="3"' in answered.text
    appended = re.search(r'<ol hx-swap-oob="beforeend:#chat-log">(.*)</ol>', answered.text, re.S)
    assert appended is not None
    messages = re.findall(r'<li class="chat-message chat-(user|assistant)">', appended.group(1))
    assert messages == ["user", "assistant"]
    assert QUESTION in appended.group(1)
    citations = re.findall(r'<li value="(\d+)"><strong>', appended.group(1))
    assert citations, "the answer should cite the run's passages"
    for number in citations:
        assert f"[{number}]" in appended.group(1)

    assert plain.status_code == 303
    assert plain.headers["location"] == f"/runs/{done.run_id}/dashboard#chat"
    for page in (history.text, dashboard.text):
        log = re.search(
            r'<ol id="chat-log" class="chat-log" aria-live="polite">(.*?)</ol>\s*<form', page, re.S
        )
        assert log is not None
        assert log.group(1).count('<li class="chat-message chat-user">') == 2
        assert log.group(1).count('<li class="chat-message chat-assistant">') == 2
        assert QUESTION in log.group(1)
        assert "Which provider is cheapest?" in log.group(1)


async def test_an_empty_or_overlong_question_gets_an_error_beside_the_field(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with running(app), browser_for(app) as ada:
        await sign_up(ada, "ada@example.com")
        done = await finished_run(app, db, "ada@example.com", healthtech)
        token = await csrf_token(ada)
        ask = f"/assessments/{done.assessment_id}/ask"
        headers = HTMX | {"x-csrf-token": token}
        empty = await ada.post(ask, data={"question": "   ", "run_id": done.run_id}, headers=headers)
        overlong = await ada.post(
            ask, data={"question": "why? " * 500, "run_id": done.run_id}, headers=headers
        )
        plain_empty = await ada.post(ask, data=form(token, question="", run_id=done.run_id))
        history = await ada.get(ask, headers=HTMX)

    assert empty.status_code == 200
    assert empty.text.startswith('<form id="chat-form"')
    assert 'aria-invalid="true"' in empty.text
    assert 'aria-describedby="chat-question-error chat-question-hint"' in empty.text
    assert (
        '<p class="field-error" id="chat-question-error">type a question about these results</p>'
        in empty.text
    )
    assert "hx-swap-oob" not in empty.text
    assert 'id="chat-question-error">at most 2,000 characters (got 2,499)</p>' in overlong.text
    assert "why? why?" in overlong.text
    assert plain_empty.status_code == 422
    assert "<html" in plain_empty.text
    assert 'id="chat-question-error"' in plain_empty.text
    assert "chat-message" not in history.text


async def test_another_user_cannot_ask_about_the_assessment(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with running(app), browser_for(app) as ada, browser_for(app) as bob:
        await sign_up(ada, "ada@example.com")
        await sign_up(bob, "bob@example.com")
        done = await finished_run(app, db, "ada@example.com", healthtech)
        bobs_token = await csrf_token(bob)
        ask = f"/assessments/{done.assessment_id}/ask"
        refused = await bob.post(
            ask,
            data={"question": QUESTION, "run_id": done.run_id},
            headers=HTMX | {"x-csrf-token": bobs_token},
        )
        plain = await bob.post(ask, data=form(bobs_token, question=QUESTION))
        history = await ada.get(ask, headers=HTMX)

    assert refused.status_code == 404
    assert plain.status_code == 404
    assert "chat-message" not in history.text
