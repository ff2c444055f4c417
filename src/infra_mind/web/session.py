"""Web UI sign-in: an HttpOnly cookie holds a random session token; the table keeps its hash.

Cookies ride along with every request the browser makes to this site, so a state-changing request must
also prove it comes from our own pages: `Sec-Fetch-Site` / `Origin` say same-origin, and it carries the
session's CSRF token (htmx sends it as a header from `<body hx-headers>`, plain forms as a hidden field).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.api.dependencies import AppServices, DbSession
from infra_mind.api.services import Services
from infra_mind.errors import CsrfRejected, SignInRequired
from infra_mind.store.models import User
from infra_mind.store.repositories import UserRepository, WebSessionRepository

SESSION_COOKIE = "infra_mind_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class WebPrincipal:
    user: User
    session_id: str
    csrf_token: str


async def start_session(
    services: Services, session: AsyncSession, request: Request, response: Response, user: User
) -> None:
    """Signs the browser in: a new session row and its cookie on `response`."""
    token = secrets.token_urlsafe(32)
    now = services.tokens.now()
    lifetime = timedelta(seconds=services.settings.web_session_ttl_s)
    await WebSessionRepository(session).create(
        user.id,
        token_hash=hash_session_token(token),
        csrf_token=secrets.token_urlsafe(32),
        now=now,
        expires_at=now + lifetime,
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


async def end_session(services: Services, session: AsyncSession, principal: WebPrincipal) -> None:
    await WebSessionRepository(session).revoke(principal.session_id, now=services.tokens.now())


def forget_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


async def check_same_origin(request: Request) -> None:
    """Refuses a state-changing request that a browser says another site sent."""
    if request.method in SAFE_METHODS:
        return
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        if fetch_site not in ("same-origin", "none"):
            raise CsrfRejected(f"refused: a {fetch_site} request cannot change anything here")
        return
    origin = request.headers.get("origin")
    if origin is not None and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise CsrfRejected("refused: the request comes from another site")


async def get_web_principal(request: Request, services: AppServices, session: DbSession) -> WebPrincipal:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired("sign in to continue")
    row = await WebSessionRepository(session).active(hash_session_token(token), now=services.tokens.now())
    user = await UserRepository(session).get(row.user_id) if row is not None else None
    if row is None or user is None:
        raise SignInRequired("your session has ended; sign in again")
    if request.method not in SAFE_METHODS:
        await check_same_origin(request)
        sent = request.headers.get(CSRF_HEADER)
        if sent is None:
            form = await request.form()
            field = form.get(CSRF_FIELD)
            sent = field if isinstance(field, str) else None
        if sent is None or not hmac.compare_digest(sent, row.csrf_token):
            raise CsrfRejected("refused: the form is stale or was not sent from this site; reload the page")
    return WebPrincipal(user=user, session_id=row.id, csrf_token=row.csrf_token)


CurrentWebPrincipal = Annotated[WebPrincipal, Depends(get_web_principal)]
