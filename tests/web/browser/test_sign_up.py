"""Signing up and in through a real browser; errors next to their fields."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from .conftest import PASSWORD, sign_up


def _email() -> str:
    return f"user-{uuid.uuid4().hex[:8]}@example.com"


def test_sign_up_lands_on_an_empty_list_and_sign_out_ends_the_session(page: Page) -> None:
    sign_up(page, _email())
    expect(page.get_by_role("heading", name="Assessments", level=1)).to_be_visible()
    expect(page.get_by_text("No assessments yet")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.goto("/assessments")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fassessments$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_validation_errors_appear_next_to_their_fields(page: Page) -> None:
    page.goto("/signup")
    page.get_by_label("Email").fill("not-an-address")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD + "x")
    page.get_by_role("button", name="Create account").click()
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("not-an-address")
    expect(page.locator("#email-error")).to_have_text("must be an email address like name@example.com")
    again = page.get_by_label("Password again")
    expect(again).to_have_attribute("aria-describedby", "password_again-error")
    expect(page.locator("#password_again-error")).to_have_text("does not match the password")


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(page: Page) -> None:
    email = _email()
    sign_up(page, email)
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("Not-the-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("incorrect email or password")
