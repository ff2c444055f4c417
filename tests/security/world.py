"""Two users on one app: Ada owns a finished run (with reports), a chat, a wizard draft and an API key;
Bob is signed in to the API and to the web UI, and holds an API key with every scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx2
from fastapi import FastAPI

from infra_mind.auth.api_keys import Scope
from infra_mind.store.db import Database

from ..api.conftest import bearer, login
from ..web.conftest import csrf_token, sign_up
from ..web.test_results_pages import finished_run

QUESTION = "Which provider is recommended and why?"
ADA = "ada@example.com"
BOB = "bob@example.com"


@dataclass(frozen=True)
class Owned:
    """Ada's resources, and the texts that must never reach anyone else."""

    token: str
    assessment_id: str
    run_id: str
    draft_id: str
    key_id: str
    key: str
    name: str

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.name, QUESTION, self.token, self.key)


@dataclass(frozen=True)
class Stranger:
    token: str
    key: str
    csrf: str


async def api_key(api: httpx2.AsyncClient, token: str, scopes: list[str]) -> dict[str, Any]:
    created = await api.post(
        "/api/v1/auth/api-keys", json={"name": "automation", "scopes": scopes}, headers=bearer(token)
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def ada_owns_everything(
    app: FastAPI,
    db: Database,
    api: httpx2.AsyncClient,
    ada: httpx2.AsyncClient,
    spec: dict[str, Any],
) -> Owned:
    """Call inside `running(app)`; `ada` is a browser client, `api` a plain one."""
    await sign_up(ada, ADA)
    done = await finished_run(app, db, ADA, spec)
    token = (await login(api, ADA)).json()["access_token"]
    asked = await api.post(
        f"/api/v1/assessments/{done.assessment_id}/chat", json={"question": QUESTION}, headers=bearer(token)
    )
    assert asked.status_code == 200, asked.text
    draft = await ada.get("/wizard/new")
    assert draft.status_code == 303, draft.text
    key = await api_key(api, token, [s.value for s in Scope])
    return Owned(
        token=token,
        assessment_id=done.assessment_id,
        run_id=done.run_id,
        draft_id=draft.headers["location"].split("/")[2],
        key_id=key["id"],
        key=key["key"],
        name=spec["company"]["name"],
    )


async def bob_signs_in(api: httpx2.AsyncClient, bob: httpx2.AsyncClient) -> Stranger:
    await sign_up(bob, BOB)
    token = (await login(api, BOB)).json()["access_token"]
    key = await api_key(api, token, [s.value for s in Scope])
    return Stranger(token=token, key=key["key"], csrf=await csrf_token(bob))
