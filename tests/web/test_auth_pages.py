from __future__ import annotations

import httpx2
from fastapi import FastAPI

from infra_mind.store.db import Database

from .conftest import PASSWORD, browser_for, csrf_token, form, sign_up


async def test_signing_up_signs_in_with_an_http_only_cookie_and_lands_on_the_list(
    browser: httpx2.AsyncClient,
) -> None:
    answer = await sign_up(browser)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/assessments"
    cookie = answer.headers["set-cookie"]
    assert "infra_mind_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    page = await browser.get("/assessments")
    assert page.status_code == 200
    assert "No assessments yet" in page.text
    assert "ada@example.com" in page.text


async def test_signup_errors_are_shown_next_to_their_fields_and_keep_the_email(
    browser: httpx2.AsyncClient,
) -> None:
    answer = await browser.post(
        "/signup", data={"email": "ada@example.com", "password": "short", "password_again": "other"}
    )
    assert answer.status_code == 422
    assert 'id="password_again-error"' in answer.text
    assert "does not match the password" in answer.text
    assert 'value="ada@example.com"' in answer.text
    bad_email = await browser.post(
        "/signup", data={"email": "not-an-address", "password": PASSWORD, "password_again": PASSWORD}
    )
    assert 'id="email-error"' in bad_email.text
    assert 'aria-invalid="true"' in bad_email.text
    weak = await browser.post(
        "/signup", data={"email": "bob@example.com", "password": "short", "password_again": "short"}
    )
    assert 'id="password-error"' in weak.text
    assert "at least 12 characters" in weak.text


async def test_a_taken_email_is_refused_next_to_the_field(app: FastAPI) -> None:
    async with browser_for(app) as first, browser_for(app) as second:
        await sign_up(first)
        answer = await sign_up(second)
    assert answer.status_code == 422
    assert "exists already" in answer.text


async def test_sign_in_goes_to_the_page_asked_for_and_never_off_site(app: FastAPI) -> None:
    async with browser_for(app) as browser:
        await sign_up(browser)
    async with browser_for(app) as browser:
        asked = await browser.get("/settings")
        assert asked.status_code == 303
        assert asked.headers["location"] == "/login?next=%2Fsettings"
        wrong = await browser.post(
            "/login", data={"email": "ada@example.com", "password": "Wrong-password-1"}
        )
        assert wrong.status_code == 401
        assert "incorrect email or password" in wrong.text
        signed_in = await browser.post(
            "/login", data={"email": "ada@example.com", "password": PASSWORD, "next": "/settings"}
        )
        assert signed_in.headers["location"] == "/settings"
        off_site = await browser.post(
            "/login", data={"email": "ada@example.com", "password": PASSWORD, "next": "//evil.example/x"}
        )
        assert off_site.headers["location"] == "/assessments"


async def test_signing_out_needs_the_csrf_token_and_ends_the_session(
    browser: httpx2.AsyncClient, db: Database
) -> None:
    await sign_up(browser)
    forged = await browser.post("/logout")
    assert forged.status_code == 403
    token = await csrf_token(browser)
    answer = await browser.post("/logout", data=form(token))
    assert answer.status_code == 303
    assert (await browser.get("/assessments")).status_code == 303


async def test_a_request_another_site_sent_changes_nothing(browser: httpx2.AsyncClient) -> None:
    await sign_up(browser)
    token = await csrf_token(browser)
    answer = await browser.post(
        "/settings/api-keys",
        data=form(token, name="key-from-another-site", scopes="runs:read"),
        headers={"sec-fetch-site": "cross-site"},
    )
    assert answer.status_code == 403
    assert "cannot change anything" in answer.text
    assert "key-from-another-site" not in (await browser.get("/settings")).text


async def test_an_htmx_request_without_a_session_is_sent_to_sign_in(browser: httpx2.AsyncClient) -> None:
    answer = await browser.get("/assessments", headers={"hx-request": "true"})
    assert answer.status_code == 204
    assert answer.headers["hx-redirect"] == "/login?next=%2Fassessments"


async def test_the_api_keeps_answering_json_to_a_browser(browser: httpx2.AsyncClient) -> None:
    answer = await browser.get("/api/v1/assessments")
    assert answer.status_code == 401
    assert answer.json()["error"] == "authentication_failed"


async def test_an_unknown_page_is_an_html_404(browser: httpx2.AsyncClient) -> None:
    answer = await browser.get("/no-such-page")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "Not found" in answer.text
