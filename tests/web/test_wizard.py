"""The assessment wizard through the ASGI app: a full walk, errors beside their fields, rows, one run."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

import httpx2
from sqlalchemy import func, select

from infra_mind.domain.input_rules import parse_input
from infra_mind.store.db import Database
from infra_mind.store.models import Assessment, AssessmentDraft, Run
from infra_mind.web.wizard.fields import FieldSpec
from infra_mind.web.wizard.steps import STEPS, Part, workload_fields

from .conftest import csrf_token, form, sign_up

STEP_SLUGS = [s.slug for s in STEPS]
HTMX = {"hx-request": "true"}


def step_form(slug: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """What a browser sends for a step whose fields hold `data`'s values."""
    (step,) = [s for s in STEPS if s.slug == slug]
    out: dict[str, Any] = {}
    for part in step.parts:
        value = data.get(part.section)
        if part.kind == "value":
            out[part.section] = "" if value is None else str(value)
        elif part.kind == "model":
            _fields(out, part.section, part.fields, value or {})
        else:
            _rows(out, part, value or [])
    return out


def _rows(out: dict[str, Any], part: Part, rows: list[dict[str, Any]]) -> None:
    out[f"{part.section}.rows"] = [str(i) for i in range(len(rows))]
    for index, row in enumerate(rows):
        prefix = f"{part.section}.{index}"
        specs = part.fields
        if part.section == "workloads":
            out[f"{prefix}.type"] = row["type"]
            specs = workload_fields(row["type"])
        _fields(out, prefix, specs, row)


def _fields(
    out: dict[str, Any], prefix: str, specs: tuple[FieldSpec, ...], values: Mapping[str, Any]
) -> None:
    for spec in specs:
        name, value = f"{prefix}.{spec.key}", values.get(spec.key)
        if value is None:
            continue
        if spec.kind == "checkbox":
            if value:
                out[name] = "true"
        elif spec.kind == "checkboxes":
            out[name] = [str(v) for v in value]
        elif spec.kind == "lines":
            out[name] = "\n".join(value)
        elif spec.kind == "numbers":
            out[name] = ", ".join(str(v) for v in value)
        elif spec.kind == "percentages":
            for key, share in value.items():
                out[f"{name}.{key}"] = str(share)
        else:
            out[name] = str(value)


async def new_draft(browser: httpx2.AsyncClient) -> str:
    started = await browser.get("/wizard/new")
    assert started.status_code == 303
    match = re.fullmatch(r"/wizard/([^/]+)/company", started.headers["location"])
    assert match is not None, started.headers["location"]
    return match.group(1)


async def walk(browser: httpx2.AsyncClient, draft: str, data: Mapping[str, Any]) -> None:
    """Every step but the review, each answered with `data`'s values and moving on to the next."""
    token = await csrf_token(browser, f"/wizard/{draft}/company")
    for slug, following in pairwise(STEP_SLUGS):
        answer = await browser.post(f"/wizard/{draft}/{slug}", data=form(token, **step_form(slug, data)))
        assert answer.status_code == 303, (slug, answer.text[:3000])
        assert answer.headers["location"] == f"/wizard/{draft}/{following}"


async def draft_data(db: Database, draft: str) -> dict[str, Any] | None:
    async with db.session() as session:
        row = await session.get(AssessmentDraft, draft)
        return dict(row.data) if row is not None else None


async def test_a_walk_through_every_step_creates_the_assessment_and_queues_its_run(
    browser: httpx2.AsyncClient, db: Database, healthtech: dict[str, Any]
) -> None:
    await sign_up(browser)
    draft = await new_draft(browser)
    first = await browser.get(f"/wizard/{draft}/company")
    assert first.status_code == 200
    assert f'href="/wizard/{draft}/company" data-step="company" aria-current="step"' in first.text
    for slug in STEP_SLUGS:
        assert f'href="/wizard/{draft}/{slug}"' in first.text
    await walk(browser, draft, healthtech)
    review = await browser.get(f"/wizard/{draft}/review")
    assert review.status_code == 200
    assert "problem" not in review.text
    assert "CareBridge Health" in review.text
    assert "triage-model" in review.text
    token = await csrf_token(browser, f"/wizard/{draft}/review")
    created = await browser.post(f"/wizard/{draft}/review", data=form(token))
    assert created.status_code == 303
    run_id = created.headers["location"].removeprefix("/runs/")
    async with db.session() as session:
        run = await session.get(Run, run_id)
        assert run is not None
        assert (run.status, run.idempotency_key) == ("queued", draft)
        assessment = await session.get(Assessment, run.assessment_id)
        assert assessment is not None
        assert assessment.name == "CareBridge Health"
        assert assessment.input == parse_input(healthtech).model_dump(mode="json")
    assert await draft_data(db, draft) is None


async def test_an_error_shows_beside_its_field_and_what_was_typed_is_kept(
    browser: httpx2.AsyncClient, db: Database, healthtech: dict[str, Any]
) -> None:
    await sign_up(browser)
    draft = await new_draft(browser)
    token = await csrf_token(browser, f"/wizard/{draft}/company")
    healthtech["company"]["employees"] = 0
    healthtech["goals"][1]["timeline_months"] = 99
    answer = await browser.post(
        f"/wizard/{draft}/company", data=form(token, **step_form("company", healthtech))
    )
    assert answer.status_code == 422
    page = answer.text
    assert 'id="company.employees-error"' in page
    assert re.search(r'id="company.employees" name="company.employees" aria-invalid="true"', page)
    assert 'id="goals.1.timeline_months-error"' in page
    assert 'value="99"' in page
    assert 'value="CareBridge Health"' in page
    saved = await draft_data(db, draft)
    assert saved is not None
    assert saved["company"]["employees"] == 0
    assert saved["goals"][1]["timeline_months"] == 99
    reloaded = (await browser.get(f"/wizard/{draft}/company")).text
    assert 'value="99"' in reloaded
    assert "Cut triage waiting time with ML-assisted routing" in reloaded
    back = await browser.post(
        f"/wizard/{draft}/workloads", data=form(token, go="company", **step_form("workloads", healthtech))
    )
    assert back.status_code == 303
    checked = (await browser.get(f"/wizard/{draft}/company", params={"check": "1"})).text
    assert 'id="company.employees-error"' in checked


async def test_workload_rows_are_added_and_removed_without_losing_other_rows(
    browser: httpx2.AsyncClient, db: Database, healthtech: dict[str, Any]
) -> None:
    await sign_up(browser)
    draft = await new_draft(browser)
    token = await csrf_token(browser, f"/wizard/{draft}/company")
    url = f"/wizard/{draft}/workloads"
    two = {"workloads": healthtech["workloads"][:2]}
    added = await browser.post(
        url,
        data=form(token, action="add:workloads", new_workload_type="batch", **step_form("workloads", two)),
        headers=HTMX,
    )
    assert added.status_code == 200
    assert 'id="workloads-rows"' in added.text
    assert 'name="workloads.2.jobs_per_day"' in added.text
    assert 'value="patient-portal"' in added.text
    saved = await draft_data(db, draft)
    assert saved is not None
    assert [w["type"] for w in saved["workloads"]] == ["web_app", "api", "batch"]
    three = {"workloads": [*two["workloads"], {"type": "batch", "name": "nightly", "jobs_per_day": 4}]}
    removed = await browser.post(
        url, data=form(token, action="remove:workloads:0", **step_form("workloads", three)), headers=HTMX
    )
    assert removed.status_code == 200
    assert "patient-portal" not in removed.text
    assert 'name="workloads.0.name" value="fhir-api"' in removed.text.replace(
        'aria-describedby="workloads.0.name-hint" ', ""
    )
    saved = await draft_data(db, draft)
    assert saved is not None
    assert [w["name"] for w in saved["workloads"]] == ["fhir-api", "nightly"]
    assert saved["workloads"][1]["jobs_per_day"] == 4


async def test_submitting_the_review_twice_starts_one_run(
    browser: httpx2.AsyncClient, db: Database, healthtech: dict[str, Any]
) -> None:
    await sign_up(browser)
    drafts = [await new_draft(browser), await new_draft(browser)]
    for draft in drafts:
        await walk(browser, draft, healthtech)
    token = await csrf_token(browser, f"/wizard/{drafts[0]}/review")
    first = await browser.post(f"/wizard/{drafts[0]}/review", data=form(token))
    again = await browser.post(f"/wizard/{drafts[0]}/review", data=form(token))
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    at_once = await asyncio.gather(
        *(browser.post(f"/wizard/{drafts[1]}/review", data=form(token)) for _ in range(2))
    )
    assert [a.status_code for a in at_once] == [303, 303]
    assert at_once[0].headers["location"] == at_once[1].headers["location"] != first.headers["location"]
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Run)) == 2
        assert await session.scalar(select(func.count()).select_from(Assessment)) == 2


async def test_the_review_lists_every_error_linked_to_its_step_and_field(
    browser: httpx2.AsyncClient, healthtech: dict[str, Any]
) -> None:
    await sign_up(browser)
    draft = await new_draft(browser)
    del healthtech["budget"]
    healthtech["workloads"][0]["requests_per_second"] = -1
    await walk_leniently(browser, draft, healthtech)
    review = await browser.get(f"/wizard/{draft}/review")
    assert review.status_code == 200
    assert f'href="/wizard/{draft}/workloads?check=1#workloads.0.requests_per_second"' in review.text
    assert f'href="/wizard/{draft}/budget?check=1#budget"' in review.text
    assert re.search(r"<button type=\"submit\" class=\"primary\" disabled", review.text)
    token = await csrf_token(browser, f"/wizard/{draft}/review")
    refused = await browser.post(f"/wizard/{draft}/review", data=form(token))
    assert refused.status_code == 422


async def walk_leniently(browser: httpx2.AsyncClient, draft: str, data: Mapping[str, Any]) -> None:
    """Saves every step through the step indicator (`go`), which moves on even when a step has errors."""
    token = await csrf_token(browser, f"/wizard/{draft}/company")
    for slug, following in pairwise(STEP_SLUGS):
        answer = await browser.post(
            f"/wizard/{draft}/{slug}", data=form(token, go=following, **step_form(slug, data))
        )
        assert answer.status_code == 303, (slug, answer.text[:2000])
        assert answer.headers["location"] == f"/wizard/{draft}/{following}"
