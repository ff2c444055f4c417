""" "Typical for a company like mine": only empty fields are filled, each with where its value comes from."""

from __future__ import annotations

import re
from typing import Any

import httpx2

from infra_mind.domain.enums import Framework
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.store.db import Database

from .conftest import csrf_token, form, sign_up
from .test_wizard import draft_data, new_draft, step_form


def note_of(page: str, name: str) -> str:
    match = re.search(rf'<p class="field-source" id="{re.escape(name)}-note">(.*?)</p>', page, re.S)
    return match.group(1) if match else ""


async def test_typical_values_fill_only_empty_fields_and_name_their_source(
    browser: httpx2.AsyncClient, db: Database, healthtech: dict[str, Any]
) -> None:
    await sign_up(browser)
    draft = await new_draft(browser)
    token = await csrf_token(browser, f"/wizard/{draft}/company")
    await browser.post(f"/wizard/{draft}/company", data=form(token, **step_form("company", healthtech)))
    typed = {"team": {"size": 22, "ml_engineers": 2, "cloud_expertise": 5}}
    answer = await browser.post(
        f"/wizard/{draft}/infrastructure",
        data=form(token, action="typical", **step_form("infrastructure", typed)),
    )
    assert answer.status_code == 200
    page = answer.text
    saved = await draft_data(db, draft)
    assert saved is not None
    team = saved["team"]
    assert team["size"] == 22
    assert team["ml_engineers"] == 2
    assert team["cloud_expertise"] == 5
    assert not note_of(page, "team.cloud_expertise")
    assert team["devops_engineers"] == 2
    assert "engineers per DevOps/SRE engineer" in note_of(page, "team.devops_engineers")
    assert "source: Infra Mind benchmark model v1" in note_of(page, "team.devops_engineers")
    assert team["data_engineers"] == 4
    assert "Data Teams" in note_of(page, "team.data_engineers")
    assert team["kubernetes_expertise"] == 1
    assert "Infra Mind default" in note_of(page, "team.kubernetes_expertise")
    spend = saved["current_infrastructure"]["monthly_spend_usd"]
    assert spend == round(4_000_000 * 0.10 / 12)
    assert "Cloud Capital" in note_of(page, "current_infrastructure.monthly_spend_usd")
    assert 'id="team.devops_engineers" name="team.devops_engineers"' in page
    assert "each says where its value comes from" in page


async def test_typical_security_controls_come_from_the_declared_frameworks_controls(
    browser: httpx2.AsyncClient, db: Database, knowledge: Knowledge
) -> None:
    await sign_up(browser)
    draft = await new_draft(browser)
    token = await csrf_token(browser, f"/wizard/{draft}/company")
    typed = {"security": {"data_types": ["health"]}, "compliance": {"frameworks": ["hipaa"]}}
    answer = await browser.post(
        f"/wizard/{draft}/security", data=form(token, action="typical", **step_form("security", typed))
    )
    assert answer.status_code == 200
    saved = await draft_data(db, draft)
    assert saved is not None
    hipaa = {needed.value for control in knowledge.controls(Framework.HIPAA) for needed in control.requires}
    assert set(saved["security"]["required_controls"]) == hipaa
    assert saved["security"]["data_classification"] == "restricted"
    assert "HIPAA" in note_of(answer.text, "security.required_controls")
    kept = {"security": {"data_types": ["health"], "data_classification": "internal"}}
    again = await browser.post(
        f"/wizard/{draft}/security", data=form(token, action="typical", **step_form("security", kept))
    )
    saved = await draft_data(db, draft)
    assert saved is not None
    assert saved["security"]["data_classification"] == "internal"
    assert not note_of(again.text, "security.data_classification")


async def test_without_size_and_industry_the_page_says_why_no_norm_was_used(
    browser: httpx2.AsyncClient, db: Database
) -> None:
    await sign_up(browser)
    draft = await new_draft(browser)
    token = await csrf_token(browser, f"/wizard/{draft}/company")
    answer = await browser.post(
        f"/wizard/{draft}/infrastructure",
        data=form(token, action="typical", **step_form("infrastructure", {"team": {"size": 30}})),
    )
    assert answer.status_code == 200
    assert "need its size and industry" in answer.text
    saved = await draft_data(db, draft)
    assert saved is not None
    assert saved["team"]["devops_engineers"] == 0
    assert "Infra Mind default" in note_of(answer.text, "team.devops_engineers")
