"""Signing up and signing in, shared by the API's auth routes and the web UI's pages."""

from __future__ import annotations

import structlog
from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.api.services import Services
from infra_mind.auth.passwords import check_password_policy
from infra_mind.auth.rate_limit import AuthAction
from infra_mind.errors import AuthenticationFailed
from infra_mind.store.models import User
from infra_mind.store.repositories import UserRepository

log = structlog.get_logger(__name__)

LOGIN_FAILED = "incorrect email or password"


async def register_user(
    services: Services, session: AsyncSession, *, email: str, password: str, client_ip: str
) -> User:
    """Rate-limited per address; the password must pass the policy; a taken email is a 409."""
    await services.rate_limiter.hit(AuthAction.REGISTRATION, client_ip=client_ip)
    check_password_policy(password, email=email)
    password_hash = await to_thread.run_sync(services.passwords.hash, password)
    user = await UserRepository(session).create(email, password_hash)
    log.info("auth.registered", user_id=user.id)
    return user


async def authenticate(
    services: Services, session: AsyncSession, *, email: str, password: str, client_ip: str
) -> User:
    """The user whose password this is; a wrong password and an unknown email fail alike."""
    await services.rate_limiter.hit(AuthAction.LOGIN, client_ip=client_ip, account=email)
    users = UserRepository(session)
    user = await users.by_email(email)
    valid, new_hash = await to_thread.run_sync(
        services.passwords.verify_and_update, password, user.password_hash if user else None
    )
    if user is None or not valid:
        log.info("auth.login_failed")
        raise AuthenticationFailed(LOGIN_FAILED)
    if new_hash is not None:
        await users.set_password_hash(user.id, new_hash)
    await services.rate_limiter.forget_account(AuthAction.LOGIN, email)
    return user
