"""Sign up, sign in, sign out."""

from __future__ import annotations

import re
from typing import Annotated

import structlog
from fastapi import APIRouter, Form, Request, Response

from infra_mind.api.accounts import authenticate, register_user
from infra_mind.api.dependencies import AppServices, ClientIp, Work
from infra_mind.api.schemas import EMAIL_PATTERN
from infra_mind.auth.passwords import MIN_LENGTH
from infra_mind.errors import AuthenticationFailed, Conflict, FieldError, InvalidInput, RateLimited
from infra_mind.store.repositories import WebSessionRepository
from infra_mind.web.dependencies import AppPages
from infra_mind.web.pages import redirect, safe_next
from infra_mind.web.session import (
    SESSION_COOKIE,
    CurrentWebPrincipal,
    check_same_origin,
    end_session,
    forget_cookie,
    hash_session_token,
    start_session,
)

router = APIRouter(include_in_schema=False)
log = structlog.get_logger(__name__)

Email = Annotated[str, Form(max_length=320)]
Password = Annotated[str, Form(max_length=1024)]
Next = Annotated[str | None, Form(max_length=2000)]


@router.get("/")
async def home(request: Request, services: AppServices, work: Work) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    signed_in = token is not None and (
        await WebSessionRepository(work.session).active(hash_session_token(token), now=services.tokens.now())
        is not None
    )
    return redirect(request, "/assessments" if signed_in else "/login")


@router.get("/login")
async def login_page(request: Request, pages: AppPages, next: str | None = None) -> Response:
    return pages.render(request, "auth/login.html", {"next": safe_next(next), "email": "", "errors": {}})


@router.post("/login")
async def login(
    request: Request,
    pages: AppPages,
    services: AppServices,
    work: Work,
    ip: ClientIp,
    email: Email,
    password: Password,
    next: Next = None,
) -> Response:
    await check_same_origin(request)
    context = {"next": safe_next(next), "email": email, "errors": {}}
    try:
        user = await authenticate(services, work.session, email=email, password=password, client_ip=ip)
    except (AuthenticationFailed, RateLimited) as exc:
        await work.session.rollback()
        status = 429 if isinstance(exc, RateLimited) else 401
        context["errors"] = {"form": exc.message}
        return pages.render(request, "auth/login.html", context, status_code=status)
    response = redirect(request, safe_next(next))
    await start_session(services, work.session, request, response, user)
    log.info("web.signed_in", user_id=user.id)
    return response


@router.get("/signup")
async def signup_page(request: Request, pages: AppPages) -> Response:
    return pages.render(request, "auth/signup.html", {"email": "", "errors": {}, "min_length": MIN_LENGTH})


@router.post("/signup")
async def signup(
    request: Request,
    pages: AppPages,
    services: AppServices,
    work: Work,
    ip: ClientIp,
    email: Email,
    password: Password,
    password_again: Password,
) -> Response:
    await check_same_origin(request)
    email = email.strip()
    errors = _signup_problems(email, password, password_again)
    if not errors:
        try:
            user = await register_user(services, work.session, email=email, password=password, client_ip=ip)
        except InvalidInput as exc:
            errors = _by_field(exc.errors)
        except Conflict:
            errors = {"email": "an account with this email exists already; sign in instead"}
        except RateLimited as exc:
            errors = {"form": exc.message}
    if errors:
        await work.session.rollback()
        context = {"email": email, "errors": errors, "min_length": MIN_LENGTH}
        return pages.render(request, "auth/signup.html", context, status_code=422)
    response = redirect(request, "/assessments")
    await start_session(services, work.session, request, response, user)
    return response


@router.post("/logout")
async def logout(
    request: Request, services: AppServices, work: Work, principal: CurrentWebPrincipal
) -> Response:
    await end_session(services, work.session, principal)
    response = redirect(request, "/login")
    forget_cookie(response)
    log.info("web.signed_out", user_id=principal.user.id)
    return response


def _signup_problems(email: str, password: str, password_again: str) -> dict[str, str]:
    errors = {}
    if not re.fullmatch(EMAIL_PATTERN, email):
        errors["email"] = "must be an email address like name@example.com"
    if password != password_again:
        errors["password_again"] = "does not match the password"
    return errors


def _by_field(errors: list[FieldError]) -> dict[str, str]:
    merged: dict[str, list[str]] = {}
    for error in errors:
        merged.setdefault(error.path, []).append(error.message)
    return {field: "; ".join(messages) for field, messages in merged.items()}
