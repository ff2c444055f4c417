"""Login and registration rate limits: moving windows per client IP and per account (`limits`)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import StrEnum

import structlog
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage as AsyncMemoryStorage
from limits.aio.storage import Storage as AsyncStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import ConfigurationError as LimitsConfigurationError
from limits.storage import storage_from_string

from infra_mind.config import Settings
from infra_mind.errors import ConfigurationError, RateLimited

log = structlog.get_logger()


class AuthAction(StrEnum):
    LOGIN = "login"
    REGISTRATION = "registration"


@dataclass(frozen=True)
class _Rule:
    action: AuthAction
    key_kind: str  # "ip" or "account"
    items: tuple[RateLimitItem, ...]


class AuthRateLimiter:
    def __init__(
        self,
        *,
        storage_url: str = "memory://",
        login_per_ip: str = "20/minute",
        login_per_account: str = "5/minute",
        registration_per_ip: str = "5/hour",
    ) -> None:
        self._limiter = MovingWindowRateLimiter(_async_storage(storage_url))
        self._rules = (
            _Rule(AuthAction.LOGIN, "ip", tuple(parse_many(login_per_ip))),
            _Rule(AuthAction.LOGIN, "account", tuple(parse_many(login_per_account))),
            _Rule(AuthAction.REGISTRATION, "ip", tuple(parse_many(registration_per_ip))),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthRateLimiter:
        return cls(
            storage_url=settings.rate_limit_storage_url,
            login_per_ip=settings.login_rate_limit_per_ip,
            login_per_account=settings.login_rate_limit_per_account,
            registration_per_ip=settings.registration_rate_limit_per_ip,
        )

    async def hit(self, action: AuthAction, *, client_ip: str, account: str | None = None) -> None:
        """Counts one attempt; raises RateLimited with the seconds until the first blocking window frees."""
        keys = {"ip": client_ip, "account": _account_key(account) if account else None}
        retry_after = 0
        for rule in self._rules:
            key = keys[rule.key_kind]
            if rule.action is not action or key is None:
                continue
            for item in rule.items:
                if not await self._limiter.hit(item, action.value, rule.key_kind, key):
                    retry_after = max(retry_after, await self._retry_after(item, action, rule.key_kind, key))
        if retry_after:
            log.warning(
                "auth.rate_limited", action=action.value, client_ip=client_ip, retry_after_s=retry_after
            )
            raise RateLimited(f"too many {action.value} attempts; retry in {retry_after} s", retry_after)

    async def forget_account(self, action: AuthAction, account: str) -> None:
        """After a successful login: the account's failed attempts no longer count against its owner."""
        for rule in self._rules:
            if rule.action is action and rule.key_kind == "account":
                for item in rule.items:
                    await self._limiter.clear(item, action.value, rule.key_kind, _account_key(account))

    async def _retry_after(self, item: RateLimitItem, action: AuthAction, kind: str, key: str) -> int:
        stats = await self._limiter.get_window_stats(item, action.value, kind, key)
        return max(1, math.ceil(stats.reset_time - time.time()))


def _account_key(account: str) -> str:
    return account.strip().casefold()


def _async_storage(url: str) -> AsyncStorage:
    """Async storage so a Redis round trip never blocks the event loop; redis-py, as the rest of the app."""
    uri = url if url.startswith("async+") else f"async+{url}"
    scheme = uri.partition("://")[0]
    if scheme == "async+memory":
        return _ClearSafeMemoryStorage(uri)
    options: dict[str, str] = {"implementation": "redispy"} if "redis" in scheme else {}
    try:
        storage = storage_from_string(uri, **options)
    except LimitsConfigurationError as exc:
        raise ConfigurationError(f"INFRA_MIND_RATE_LIMIT_STORAGE_URL: {exc}") from exc
    if not isinstance(storage, AsyncStorage):
        raise ConfigurationError(f"INFRA_MIND_RATE_LIMIT_STORAGE_URL: {url!r} has no async storage")
    return storage


class _ClearSafeMemoryStorage(AsyncMemoryStorage):
    """limits' expiry task lists the window keys, then yields between them and indexes each one: a `clear`
    that deletes a listed key kills that unawaited task with a KeyError. Emptying the window instead
    leaves the key for the task to drop."""

    async def clear(self, key: str) -> None:
        if key in self.events:
            self.events[key] = []
        self.storage.pop(key, None)
        self.expirations.pop(key, None)
