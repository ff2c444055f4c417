"""API keys for automation: created (the key shown once), listed, revoked; by a logged-in user only."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Response, status

from infra_mind.api.dependencies import AppServices, DbSession, InteractivePrincipal
from infra_mind.api.errors import error_responses
from infra_mind.api.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from infra_mind.auth.api_keys import generate_api_key
from infra_mind.errors import NotFound
from infra_mind.store.repositories import ApiKeyRepository

router = APIRouter(prefix="/auth/api-keys", tags=["auth"], responses=error_responses(500))
log = structlog.get_logger(__name__)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    responses=error_responses(400, 401, 403, 413, 422),
)
async def create_api_key(
    body: ApiKeyCreate, principal: InteractivePrincipal, session: DbSession
) -> ApiKeyCreated:
    issued = generate_api_key(body.scopes)
    stored = await ApiKeyRepository(session).create(
        principal.user.id,
        name=body.name,
        key_hash=issued.key_hash,
        prefix=issued.prefix,
        scopes=sorted(issued.scopes),
    )
    log.info("auth.api_key_created", user_id=principal.user.id, api_key_id=stored.id)
    return ApiKeyCreated(**ApiKeyOut.model_validate(stored).model_dump(), key=issued.key)


@router.get("", response_model=list[ApiKeyOut], responses=error_responses(401, 403))
async def list_api_keys(principal: InteractivePrincipal, session: DbSession) -> list[ApiKeyOut]:
    keys = await ApiKeyRepository(session).list_for(principal.user.id)
    return [ApiKeyOut.model_validate(k) for k in keys]


@router.delete(
    "/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 403, 404, 422)
)
async def revoke_api_key(
    key_id: str, principal: InteractivePrincipal, session: DbSession, services: AppServices
) -> Response:
    """404 for a key that is not the caller's, or is already revoked."""
    if not await ApiKeyRepository(session).revoke(principal.user.id, key_id, at=services.tokens.now()):
        raise NotFound(f"no active API key {key_id}")
    log.info("auth.api_key_revoked", user_id=principal.user.id, api_key_id=key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
