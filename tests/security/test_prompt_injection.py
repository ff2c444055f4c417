"""The injection corpus in every free-text field of the assessment input and in chat questions, through
the app with the offline engine: each text is kept as sent or refused by its field; the results are those
of the clean input; pages, HTML and Markdown reports carry it as inert text."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from infra_mind.agents.llm_step import free_text
from infra_mind.api.nul_guard import NUL
from infra_mind.domain.input_rules import parse_input
from infra_mind.store.db import Database
from infra_mind.web.wizard.steps import STEPS

from ..api.conftest import bearer, client_for, login, running, signed_in
from ..web.conftest import browser_for, csrf_token, form, sign_up
from ..web.test_results_pages import HTMX, FinishedRun, finished_run
from .injection import (
    ANY_INDEX,
    EVALUATED_TEMPLATE,
    REMOTE_IMAGE,
    SCRIPT_MARKUP,
    Injection,
    Path_,
    concrete_paths,
    corpus,
    dotted,
    free_text_templates,
    get_at,
    placement,
    with_text,
)

pytestmark = pytest.mark.security

ASSESSMENTS = "/api/v1/assessments"
REPORT_KINDS = ("executive", "technical", "cfo", "ciso", "engineering_lead")
FENCED_CODE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
# Region ids, not free text: checked against the catalog, so an injected one is refused by its field.
SEEDED_LISTS: dict[Path_, list[str]] = {("providers", "preferred_regions", ANY_INDEX): ["us-east-1"]}


def refusable(record: Injection, path: Path_) -> bool:
    """A region id is checked against the catalog; NUL cannot be stored; everything else is kept."""
    return NUL in record.text or path[:2] == ("providers", "preferred_regions")


def seeded(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with an element in every list of free text the example leaves empty or out."""
    out: dict[str, Any] = json.loads(json.dumps(spec))
    for template, values in SEEDED_LISTS.items():
        get_at(out, template[:-2])[template[-2]] = list(values)
    return out


def injected(spec: dict[str, Any], slots: list[Path_], records: list[Injection]) -> dict[str, Any]:
    out = spec
    for slot, texts in placement(slots, records).items():
        out = with_text(out, slot, "\n".join(r.text for r in texts))
    return out


def assert_inert(text: str, where: str) -> None:
    for live in (SCRIPT_MARKUP, REMOTE_IMAGE):
        found = live.search(text)
        assert found is None, f"{where}: live markup from the input: {found.group(0) if found else ''}"
    assert EVALUATED_TEMPLATE not in text, f"{where}: a template expression from the input was evaluated"


def assert_no_raw_markup(text: str, records: list[Injection], where: str) -> None:
    for record in records:
        if "<" in record.text:
            assert record.text not in text, f"{where}: {record.id} passed through unescaped"
    assert_inert(text, where)


def test_the_free_text_fields_are_the_ones_agents_treat_as_untrusted(healthtech: dict[str, Any]) -> None:
    templates = free_text_templates()
    spec = seeded(healthtech)
    covered = {dotted(p) for p in concrete_paths(templates, spec)}
    untrusted = set(free_text(parse_input(spec)))
    assert untrusted <= covered
    assert {("company", "name"), ("workloads", ANY_INDEX, "name")} <= templates
    for template in templates:
        assert any(len(p) == len(template) for p in concrete_paths({template}, spec)), template


async def test_every_payload_in_every_free_text_field_is_kept_or_refused_by_that_field(
    app: FastAPI, healthtech: dict[str, Any]
) -> None:
    spec = seeded(healthtech)
    records = corpus()
    async with client_for(app) as api:
        auth = bearer((await signed_in(api, "ada@example.com"))["access_token"])
        for path in concrete_paths(free_text_templates(), spec):
            for record in records:
                answer = await api.post(ASSESSMENTS, json=with_text(spec, path, record.text), headers=auth)
                assert answer.status_code in (201, 422), (path, record.id, answer.text[:300])
                if answer.status_code == 422:
                    assert answer.json()["error"] == "invalid_input"
                    assert dotted(path) in {f["path"] for f in answer.json()["fields"]}, (path, record.id)
                    assert refusable(record, path), (path, record.id, answer.text)
                    continue
                assert not refusable(record, path), (path, record.id)
                stored = get_at(answer.json()["input"], path)
                assert stored == record.text.strip(), (path, record.id, stored)


async def test_injected_text_changes_no_result_and_stays_inert_text_everywhere(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    records = [r for r in corpus() if NUL not in r.text]
    slots = concrete_paths(free_text_templates() - set(SEEDED_LISTS), healthtech)
    attack = injected(healthtech, slots, records)
    async with running(app), client_for(app) as api, browser_for(app) as ada:
        await sign_up(ada)
        auth = bearer((await login(api, "ada@example.com")).json()["access_token"])
        clean = await finished_run(app, db, "ada@example.com", healthtech)
        hostile = await finished_run(app, db, "ada@example.com", attack)
        stored = (await api.get(f"{ASSESSMENTS}/{hostile.assessment_id}", headers=auth)).json()["input"]
        asked = [
            await api.post(
                f"{ASSESSMENTS}/{hostile.assessment_id}/chat", json={"question": r.text}, headers=auth
            )
            for r in records
        ]
        token = await csrf_token(ada)
        web_asked = await ada.post(
            f"/assessments/{hostile.assessment_id}/ask",
            data={"question": records[-1].text, "run_id": hostile.run_id},
            headers=HTMX | {"x-csrf-token": token},
        )
        reports = {
            (kind, fmt): await api.get(f"/api/v1/runs/{hostile.run_id}/reports/{kind}/{fmt}", headers=auth)
            for kind in REPORT_KINDS
            for fmt in ("html", "md")
        }
        pages = await pages_showing(ada, hostile, token)

    back_to_clean = {
        json.dumps(get_at(stored, slot))[1:-1]: json.dumps(get_at(healthtech, slot))[1:-1] for slot in slots
    }
    back_to_clean[json.dumps(stored["notes"])[1:-1]] = json.dumps(healthtech.get("notes", ""))[1:-1]
    assert outcome(hostile.result, back_to_clean) == outcome(clean.result, {})
    for answer, record in zip(asked, records, strict=True):
        assert answer.status_code == 200, (record.id, answer.text[:300])
        assert answer.json()["question"] == record.text.strip()
    assert web_asked.status_code == 200
    assert_no_raw_markup(web_asked.text, records, "the chat fragment")
    for url, page in pages.items():
        assert page.status_code == 200, (url, page.status_code)
        assert_no_raw_markup(page.text, records, url)
    findings = set()
    for (kind, fmt), report in reports.items():
        assert report.status_code == 200, (kind, fmt)
        assert EVALUATED_TEMPLATE not in report.text
        if fmt == "html":
            assert SCRIPT_MARKUP.search(report.text) is None, (
                f"the html {kind} report runs script from the input"
            )
            assert "img-src data:" in report.headers["content-security-policy"]
            if REMOTE_IMAGE.search(report.text):
                findings.add(f"html {kind}: a Markdown image from the input became <img src=https://…>")
        else:
            # A fenced code block (the Terraform skeleton quotes workload names) is shown as written.
            prose = FENCED_CODE.sub("", report.text)
            findings |= {
                f"md {kind}: {r.id} as raw HTML" for r in records if "<" in r.text and r.text in prose
            }
    assert not findings, f"input markup live in reports: {sorted(findings)}"


def outcome(result: dict[str, Any], replacements: dict[str, str]) -> dict[str, Any]:
    """Costs, recommendations and compliance, with injected texts put back to the clean ones.

    Recommendations of equal weight are ordered by workload name, so their rank follows the name: the
    set of ids (REC-001…, by rank) and of ranks is compared, and each recommendation by its key.
    """
    text = json.dumps({k: result[k] for k in ("cost_model", "recommendations", "compliance")}, sort_keys=True)
    for injected_text in sorted(replacements, key=len, reverse=True):
        text = text.replace(injected_text, replacements[injected_text])
    values: dict[str, Any] = json.loads(text)
    recommendations = values.pop("recommendations")
    values["recommendation_ids"] = sorted(r["id"] for r in recommendations)
    values["ranks"] = sorted(r["rank"] for r in recommendations)
    values["recommendations"] = sorted(
        ({k: v for k, v in r.items() if k not in ("id", "rank")} for r in recommendations),
        key=lambda r: str(r["key"]),
    )
    return values


async def pages_showing(
    browser: httpx2.AsyncClient, run: FinishedRun, token: str
) -> dict[str, httpx2.Response]:
    """Every page that shows the input's text: lists, run and results pages, and each wizard step of a
    draft copied from the assessment."""
    urls = [
        "/assessments",
        f"/runs/{run.run_id}",
        f"/runs/{run.run_id}/dashboard",
        f"/runs/{run.run_id}/recommendations",
        f"/runs/{run.run_id}/recommendations/1",
        f"/assessments/{run.assessment_id}/ask",
        f"/wizard/from/{run.assessment_id}",
    ]
    pages = {url: await browser.get(url) for url in urls}
    copied = await browser.post(f"/wizard/from/{run.assessment_id}", data=form(token))
    draft = copied.headers["location"].split("/")[2]
    for step in STEPS:
        url = f"/wizard/{draft}/{step.slug}"
        pages[url] = await browser.get(url)
    return pages
