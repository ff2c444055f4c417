"""Settings: the user's API keys for automation: create (shown once), list, revoke."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import structlog
from fastapi import APIRouter, Form, Request, Response

from infra_mind.api.dependencies import AppServices, Work
from infra_mind.auth.api_keys import Scope, generate_api_key
from infra_mind.errors import NotFound
from infra_mind.store.repositories import ApiKeyRepository
from infra_mind.web.dependencies import AppPages
from infra_mind.web.session import CurrentWebPrincipal, WebPrincipal

router = APIRouter(include_in_schema=False)
log = structlog.get_logger(__name__)

SCOPE_LABELS = {
    Scope.ASSESSMENTS_READ: "read assessments",
    Scope.ASSESSMENTS_WRITE: "create, change and delete assessments",
    Scope.RUNS_READ: "read runs, progress and recommendations",
    Scope.RUNS_WRITE: "start, cancel and re-run runs",
    Scope.REPORTS_READ: "download reports",
    Scope.CHAT_WRITE: "ask questions about results",
}


@router.get("/settings")
async def settings_page(
    request: Request, pages: AppPages, work: Work, principal: CurrentWebPrincipal
) -> Response:
    return await _render(request, pages, work, principal)


@router.post("/settings/api-keys")
async def create_api_key(
    request: Request,
    pages: AppPages,
    work: Work,
    principal: CurrentWebPrincipal,
    name: Annotated[str, Form(max_length=200)] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = "give the key a name, e.g. the system that will use it"
    elif len(name) > 100:
        errors["name"] = f"at most 100 characters (got {len(name)})"
    chosen = [s for s in Scope if s.value in (scopes or [])]
    unknown = sorted(set(scopes or []) - {s.value for s in Scope})
    if unknown:
        errors["scopes"] = f"unknown scope(s): {', '.join(unknown)}"
    elif not chosen:
        errors["scopes"] = "choose at least one thing the key may do"
    if errors:
        form = {"name": name, "scopes": scopes or []}
        return await _render(request, pages, work, principal, errors=errors, form=form, status_code=422)
    issued = generate_api_key(chosen)
    await ApiKeyRepository(work.session).create(
        principal.user.id,
        name=name,
        key_hash=issued.key_hash,
        prefix=issued.prefix,
        scopes=sorted(issued.scopes),
    )
    log.info("web.api_key_created", user_id=principal.user.id)
    return await _render(request, pages, work, principal, created={"name": name, "key": issued.key})


@router.post("/settings/api-keys/{key_id}/revoke")
async def revoke_api_key(
    key_id: str,
    request: Request,
    pages: AppPages,
    services: AppServices,
    work: Work,
    principal: CurrentWebPrincipal,
) -> Response:
    if not await ApiKeyRepository(work.session).revoke(principal.user.id, key_id, at=services.tokens.now()):
        raise NotFound("no such active API key")
    log.info("web.api_key_revoked", user_id=principal.user.id, api_key_id=key_id)
    return await _render(request, pages, work, principal)


async def _render(
    request: Request,
    pages: AppPages,
    work: Work,
    principal: WebPrincipal,
    *,
    errors: dict[str, str] | None = None,
    form: Mapping[str, object] | None = None,
    created: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    keys = await ApiKeyRepository(work.session).list_for(principal.user.id)
    context: dict[str, object] = {
        "keys": keys,
        "scope_labels": {s.value: label for s, label in SCOPE_LABELS.items()},
        "errors": errors or {},
        "form": form or {"name": "", "scopes": [s.value for s in Scope if s.value.endswith(":read")]},
        "created": created,
    }
    return pages.render(request, "settings.html", context, principal=principal, status_code=status_code)
