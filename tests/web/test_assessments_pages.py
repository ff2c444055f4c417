from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from infra_mind.jobs.queue import RunQueue
from infra_mind.store.db import Database
from infra_mind.store.models import Assessment, RunState
from infra_mind.store.repositories import AssessmentRepository, RunRepository, UserRepository

from .conftest import browser_for, csrf_token, form, sign_up


async def _assessment(db: Database, email: str, name: str, spec: dict[str, Any]) -> Assessment:
    async with db.session() as session:
        user = await UserRepository(session).by_email(email)
        assert user is not None
        return await AssessmentRepository(session).create(user.id, name=name, input=spec)


async def test_the_list_shows_only_the_users_assessments_and_searches_them(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with browser_for(app) as ada, browser_for(app) as bob:
        await sign_up(ada, "ada@example.com")
        await sign_up(bob, "bob@example.com")
        await _assessment(db, "ada@example.com", "Clinic portal", healthtech)
        await _assessment(db, "ada@example.com", "Billing revamp", healthtech)
        await _assessment(db, "bob@example.com", "Bob's secret plan", healthtech)
        page = (await ada.get("/assessments")).text
        assert "Clinic portal" in page
        assert "Billing revamp" in page
        assert "secret plan" not in page
        found = (await ada.get("/assessments", params={"q": "clinic"})).text
        assert "Clinic portal" in found
        assert "Billing revamp" not in found
        none = (await ada.get("/assessments", params={"q": "zzz"})).text
        assert "No assessment matches" in none


async def test_deleting_needs_the_owner_and_no_active_run(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with browser_for(app) as ada, browser_for(app) as bob:
        await sign_up(ada, "ada@example.com")
        await sign_up(bob, "bob@example.com")
        mine = await _assessment(db, "ada@example.com", "Clinic portal", healthtech)
        bobs_token = await csrf_token(bob)
        assert (await bob.post(f"/assessments/{mine.id}/delete", data=form(bobs_token))).status_code == 404
        async with db.session() as session:
            run, _ = await RunRepository(session).create(mine.owner_id, mine.id, mode="parallel")
        token = await csrf_token(ada)
        busy = await ada.post(f"/assessments/{mine.id}/delete", data=form(token))
        assert busy.status_code == 409
        assert "cancel it before deleting" in busy.text
        async with db.session() as session:
            await RunQueue(session).move(run.id, RunState.QUEUED, RunState.CANCELLED)
        gone = await ada.post(
            f"/assessments/{mine.id}/delete", data=form(token), headers={"hx-request": "true"}
        )
        assert gone.status_code == 200
        assert "Clinic portal" not in (await ada.get("/assessments")).text
