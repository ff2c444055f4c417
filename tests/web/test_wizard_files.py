"""The wizard's YAML export and import, and "start from this one" copies of an assessment."""

from __future__ import annotations

from typing import Any

import httpx2
import yaml
from fastapi import FastAPI
from sqlalchemy import func, select

from infra_mind.store.db import Database
from infra_mind.store.models import AssessmentDraft
from infra_mind.store.repositories import AssessmentRepository, UserRepository

from .conftest import browser_for, csrf_token, form, sign_up
from .test_wizard import draft_data, new_draft

YAML = "application/yaml"


async def test_a_draft_exported_as_yaml_imports_back_unchanged(
    browser: httpx2.AsyncClient, db: Database, healthtech: dict[str, Any]
) -> None:
    await sign_up(browser)
    draft = await new_draft(browser)
    token = await csrf_token(browser, f"/wizard/{draft}/company")
    imported = await browser.post(
        f"/wizard/{draft}/import",
        data=form(token, step="company"),
        files={"file": ("carebridge.yaml", yaml.safe_dump(healthtech).encode(), YAML)},
    )
    assert imported.status_code == 303
    assert imported.headers["location"] == f"/wizard/{draft}/review"
    review = await browser.get(f"/wizard/{draft}/review")
    assert "problem" not in review.text
    exported = await browser.get(f"/wizard/{draft}/export.yaml")
    assert exported.status_code == 200
    assert exported.headers["content-disposition"] == 'attachment; filename="carebridge-health.yaml"'
    assert yaml.safe_load(exported.text) == healthtech
    other = await new_draft(browser)
    again = await browser.post(
        f"/wizard/{other}/import",
        data=form(token, step="company"),
        files={"file": ("again.yaml", exported.content, YAML)},
    )
    assert again.status_code == 303
    assert await draft_data(db, other) == healthtech


async def test_an_import_with_errors_is_shown_by_the_review_with_each_error(
    browser: httpx2.AsyncClient, healthtech: dict[str, Any]
) -> None:
    await sign_up(browser)
    draft = await new_draft(browser)
    token = await csrf_token(browser, f"/wizard/{draft}/company")
    healthtech["performance"]["uptime_target_pct"] = 120
    content = yaml.safe_dump(healthtech).encode()
    await browser.post(f"/wizard/{draft}/import", data=form(token), files={"file": ("x.yaml", content, YAML)})
    review = await browser.get(f"/wizard/{draft}/review")
    assert "1 problem to fix" in review.text
    assert f'href="/wizard/{draft}/performance?check=1#performance.uptime_target_pct"' in review.text


async def test_an_unreadable_file_is_refused_beside_the_file_field(
    browser: httpx2.AsyncClient, db: Database
) -> None:
    await sign_up(browser)
    draft = await new_draft(browser)
    token = await csrf_token(browser, f"/wizard/{draft}/company")
    cases = {
        b"company: [unclosed": "not valid YAML",
        b"- just\n- a list\n": "must hold a mapping",
        b"a: " + b"x" * (256 * 1024): "larger than 256 KiB",
    }
    for content, message in cases.items():
        answer = await browser.post(
            f"/wizard/{draft}/import",
            data=form(token, step="company"),
            files={"file": ("x.yaml", content, YAML)},
        )
        assert answer.status_code == 422
        assert 'id="import-file-error"' in answer.text
        assert message in answer.text
    assert await draft_data(db, draft) == {}


async def test_start_from_copies_the_users_own_assessment_only(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with browser_for(app) as ada, browser_for(app) as bob:
        await sign_up(ada, "ada@example.com")
        await sign_up(bob, "bob@example.com")
        async with db.session() as session:
            user = await UserRepository(session).by_email("ada@example.com")
            assert user is not None
            mine = await AssessmentRepository(session).create(user.id, name="Clinic portal", input=healthtech)
        confirm = await ada.get(f"/wizard/from/{mine.id}")
        assert confirm.status_code == 200
        assert f'action="/wizard/from/{mine.id}"' in confirm.text
        async with db.session() as session:
            assert await session.scalar(select(func.count()).select_from(AssessmentDraft)) == 0
        assert (await bob.get(f"/wizard/from/{mine.id}")).status_code == 404
        bobs = await csrf_token(bob)
        assert (await bob.post(f"/wizard/from/{mine.id}", data=form(bobs))).status_code == 404
        copied = await ada.post(f"/wizard/from/{mine.id}", data=form(await csrf_token(ada)))
        assert copied.status_code == 303
        draft = copied.headers["location"].split("/")[2]
        assert await draft_data(db, draft) == healthtech
        assert (await bob.get(copied.headers["location"])).status_code == 404
