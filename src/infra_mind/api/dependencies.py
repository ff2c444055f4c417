"""FastAPI dependencies as `Annotated` aliases: services from `app.state`, one session, the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from infra_mind.api.services import Services
from infra_mind.auth.api_keys import Scope, api_key_prefix, hash_api_key, looks_like_api_key, parse_scopes
from infra_mind.auth.api_keys import require_scopes as check_scopes
from infra_mind.config import Settings
from infra_mind.errors import AuthenticationFailed, PermissionDenied
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database
from infra_mind.store.models import User
from infra_mind.store.repositories import ApiKeyRepository, UserRepository

T = TypeVar("T")
TOKEN_URL = "/api/v1/auth/token"


# Dependencies are `async def` even when they do no I/O: FastAPI runs a plain `def` one on a worker
# thread, a hand-off that costs more than the function and, under load, waits for the interpreter lock.
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


AppServices = Annotated[Services, Depends(get_services)]


async def get_settings(services: AppServices) -> Settings:
    return services.settings


async def get_metrics(services: AppServices) -> Metrics:
    return services.metrics


async def get_database(services: AppServices) -> Database:
    return services.database


AppSettings = Annotated[Settings, Depends(get_settings)]
AppMetrics = Annotated[Metrics, Depends(get_metrics)]
AppDatabase = Annotated[Database, Depends(get_database)]


@dataclass
class UnitOfWork:
    """The request's one session, and what must happen only once its changes are committed."""

    session: AsyncSession
    database: Database
    _after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def after_commit(self, call: Callable[[], Awaitable[None]]) -> None:
        """E.g. handing a run to the runner: it must never see a row that is not committed yet."""
        self._after_commit.append(call)

    async def end_reads(self) -> None:
        """Nothing is written yet: ends the read transaction, so a slow call (an LLM) that follows does
        not hold a pooled connection. Writes after it go into a new transaction, committed as usual."""
        if self.session.new or self.session.dirty or self.session.deleted:
            raise RuntimeError("end_reads() after a write would commit half of the unit of work")
        await self.session.commit()

    async def write_once(self, work: Callable[[Session], T]) -> T:
        """For a unit of work whose one write is `work` (a function of a blocking session), called before
        the session has run anything. On a SQLite file it runs whole on the database's writer thread and
        commits there: the one write lock is held for its statements alone, not while the request's
        connection hops through a busy event loop. On PostgreSQL each of its statements commits by
        itself, sparing the BEGIN and COMMIT round trips. A session already in a transaction (an API
        key's lookup, which may have written) runs it there: a second writer would wait for its lock."""
        if not self.session.in_transaction():
            if self.database.serialises_writes:
                return await self.database.run_transaction(work)
            if self.session.get_bind().dialect.name == "postgresql":
                await self.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return await self.session.run_sync(work)

    async def committed(self) -> None:
        for call in self._after_commit:
            await call()


async def get_unit_of_work(database: AppDatabase) -> AsyncIterator[UnitOfWork]:
    """Committed once after the route returns and before the response leaves; rolled back if it raised."""
    async with database.session() as session:
        work = UnitOfWork(session, database)
        yield work
    await work.committed()


Work = Annotated[UnitOfWork, Depends(get_unit_of_work, scope="function")]


async def get_session(work: Work) -> AsyncSession:
    return work.session


DbSession = Annotated[AsyncSession, Depends(get_session)]

_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


@dataclass(frozen=True)
class Caller:
    """Who calls, as far as the credential proves it: a user's id, through an access token (every scope) or
    an API key (its scopes only)."""

    user_id: str
    api_key_id: str | None = None
    scopes: frozenset[Scope] | None = None

    @property
    def via_api_key(self) -> bool:
        return self.api_key_id is not None

    def require(self, *needed: Scope) -> None:
        if self.scopes is not None:
            check_scopes(self.scopes, *needed)


@dataclass(frozen=True)
class Principal:
    """The caller with their user row."""

    user: User
    api_key_id: str | None = None
    scopes: frozenset[Scope] | None = None

    @property
    def caller(self) -> Caller:
        return Caller(self.user.id, self.api_key_id, self.scopes)

    @property
    def via_api_key(self) -> bool:
        return self.caller.via_api_key

    def require(self, *needed: Scope) -> None:
        self.caller.require(*needed)


async def get_principal(
    services: AppServices, session: DbSession, credential: Annotated[str | None, Depends(_bearer)]
) -> Principal:
    presented = _presented(credential)
    if looks_like_api_key(presented):
        return await _api_key_principal(session, presented, services)
    claims = services.tokens.verify_access(presented)
    user = await UserRepository(session).get(claims.subject)
    if user is None:
        raise AuthenticationFailed("the token's user no longer exists")
    return Principal(user=user)


async def get_caller(
    services: AppServices, session: DbSession, credential: Annotated[str | None, Depends(_bearer)]
) -> Caller:
    """The caller without their user row, for a route whose every statement is scoped to the caller's
    own rows (a user no longer there owns nothing, so is refused as for any row not theirs): an access
    token's signature is proof enough, and the route saves the user lookup's round trip."""
    presented = _presented(credential)
    if looks_like_api_key(presented):
        return (await _api_key_principal(session, presented, services)).caller
    return Caller(services.tokens.verify_access(presented).subject)


async def _api_key_principal(session: AsyncSession, key: str, services: Services) -> Principal:
    api_key_prefix(key)
    keys = ApiKeyRepository(session)
    stored = await keys.active_by_hash(hash_api_key(key))
    user = await UserRepository(session).get(stored.user_id) if stored is not None else None
    if stored is None or user is None:
        raise AuthenticationFailed("unknown or revoked API key")
    await keys.mark_used(stored.id, at=services.tokens.now())
    return Principal(user=user, api_key_id=stored.id, scopes=parse_scopes(stored.scopes))


def _presented(credential: str | None) -> str:
    if not credential:
        raise AuthenticationFailed("not authenticated: send Authorization: Bearer <token or API key>")
    return credential


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
CurrentCaller = Annotated[Caller, Depends(get_caller)]


async def get_current_user(principal: CurrentPrincipal) -> User:
    return principal.user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_interactive_principal(principal: CurrentPrincipal) -> Principal:
    """Managing credentials needs a login: a leaked API key must not mint or revoke others."""
    if principal.via_api_key:
        raise PermissionDenied("API keys cannot manage API keys; log in with a password")
    return principal


InteractivePrincipal = Annotated[Principal, Depends(get_interactive_principal)]


def require_scopes(*needed: Scope) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """`Annotated[Principal, Depends(require_scopes(Scope.RUNS_READ))]`: 403 for a key without them."""

    async def checked(principal: CurrentPrincipal) -> Principal:
        principal.require(*needed)
        return principal

    return checked


async def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


ClientIp = Annotated[str, Depends(client_ip)]
