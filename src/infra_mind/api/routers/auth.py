"""Registration, login (OAuth2 password flow), refresh-token rotation, logout and `me`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from infra_mind.api.accounts import authenticate, register_user
from infra_mind.api.dependencies import AppServices, ClientIp, CurrentPrincipal, DbSession
from infra_mind.api.errors import error_responses
from infra_mind.api.schemas import MeOut, RefreshRequest, RegisterRequest, TokenPair, UserOut
from infra_mind.api.services import Services
from infra_mind.auth.tokens import StoredRefreshToken, hash_refresh_token
from infra_mind.errors import RefreshTokenReused
from infra_mind.store.models import RefreshToken
from infra_mind.store.repositories import RefreshTokenRepository

router = APIRouter(prefix="/auth", tags=["auth"], responses=error_responses(500))
log = structlog.get_logger(__name__)


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    responses=error_responses(400, 409, 413, 422, 429),
)
async def register(body: RegisterRequest, services: AppServices, session: DbSession, ip: ClientIp) -> UserOut:
    user = await register_user(services, session, email=body.email, password=body.password, client_ip=ip)
    return UserOut.model_validate(user)


@router.post("/token", response_model=TokenPair, responses=error_responses(400, 401, 413, 422, 429))
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    services: AppServices,
    session: DbSession,
    ip: ClientIp,
) -> TokenPair:
    """Log in with `username` (the email) and `password`; a wrong password and an unknown email look alike."""
    user = await authenticate(services, session, email=form.username, password=form.password, client_ip=ip)
    issued = services.tokens.issue_refresh()
    await RefreshTokenRepository(session).issue(
        user.id, token_hash=issued.token_hash, expires_at=issued.expires_at, family_id=issued.family_id
    )
    log.info("auth.logged_in", user_id=user.id)
    return _token_pair(services, user.id, issued.token, issued.expires_at)


@router.post("/refresh", response_model=TokenPair, responses=error_responses(400, 401, 413, 422))
async def refresh(body: RefreshRequest, services: AppServices, session: DbSession) -> TokenPair:
    """Exchanges a refresh token for a new pair; presenting a used one revokes its whole family."""
    repository = RefreshTokenRepository(session)
    stored = await repository.by_hash(hash_refresh_token(body.refresh_token))
    try:
        successor = services.tokens.rotate_refresh(_as_stored(stored))
        assert stored is not None  # rotate_refresh refuses an unknown token
        rotated = await repository.rotate(
            stored, token_hash=successor.token_hash, expires_at=successor.expires_at
        )
        if rotated is None:
            raise RefreshTokenReused(stored.family_id)
    except RefreshTokenReused as exc:
        await session.rollback()  # frees SQLite's write lock before the revocation's own transaction
        await _revoke_family_now(services, exc.family_id)
        raise
    return _token_pair(services, stored.user_id, successor.token, successor.expires_at)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(400, 413, 422))
async def logout(body: RefreshRequest, session: DbSession) -> Response:
    """Revokes the refresh token's family (this login on every device it was refreshed on)."""
    repository = RefreshTokenRepository(session)
    stored = await repository.by_hash(hash_refresh_token(body.refresh_token))
    if stored is not None:
        await repository.revoke_family(stored.family_id)
        log.info("auth.logged_out", user_id=stored.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=MeOut, responses=error_responses(401))
async def me(principal: CurrentPrincipal) -> MeOut:
    user = UserOut.model_validate(principal.user)
    scopes = sorted(principal.scopes) if principal.scopes is not None else None
    return MeOut(**user.model_dump(), auth="api_key" if principal.via_api_key else "token", scopes=scopes)


def _as_stored(token: RefreshToken | None) -> StoredRefreshToken | None:
    """The store marks a rotated token revoked with a successor; a revoked one without is a revoked family."""
    if token is None:
        return None
    rotated = token.revoked_at if token.replaced_by is not None else None
    family_revoked = token.revoked_at if token.replaced_by is None else None
    return StoredRefreshToken(
        token_hash=token.token_hash,
        family_id=token.family_id,
        subject=token.user_id,
        expires_at=token.expires_at,
        rotated_at=rotated,
        family_revoked_at=family_revoked,
    )


async def _revoke_family_now(services: Services, family_id: str) -> None:
    """In its own unit of work: the request's session rolls back with the 401 it is about to raise."""
    async with services.database.session() as session:
        revoked = await RefreshTokenRepository(session).revoke_family(family_id)
    log.warning("auth.refresh_reused", family_id=family_id, revoked=revoked)


def _token_pair(services: Services, user_id: str, refresh_token: str, refresh_expires: datetime) -> TokenPair:
    access = services.tokens.issue_access(user_id)
    now = services.tokens.now()
    return TokenPair(
        access_token=access.token,
        expires_in=int((access.expires_at - now).total_seconds()),
        refresh_token=refresh_token,
        refresh_expires_in=int((refresh_expires - now).total_seconds()),
    )
