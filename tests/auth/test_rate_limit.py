from __future__ import annotations

import asyncio

import pytest

from infra_mind.auth.rate_limit import AuthAction, AuthRateLimiter
from infra_mind.config import load_settings
from infra_mind.errors import ConfigurationError, RateLimited


async def test_login_is_blocked_per_account_after_n_attempts() -> None:
    limiter = AuthRateLimiter(login_per_account="3/minute", login_per_ip="100/minute")
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        await limiter.hit(AuthAction.LOGIN, client_ip=ip, account="Ana@Example.com")
    with pytest.raises(RateLimited) as caught:
        await limiter.hit(AuthAction.LOGIN, client_ip="10.0.0.4", account=" ana@example.com")
    assert caught.value.status_code == 429
    assert 1 <= caught.value.retry_after_s <= 60
    await limiter.hit(AuthAction.LOGIN, client_ip="10.0.0.4", account="bob@example.com")


async def test_a_successful_login_forgets_the_account_attempts() -> None:
    limiter = AuthRateLimiter(login_per_account="2/minute", login_per_ip="3/minute")
    for _ in range(2):
        await limiter.hit(AuthAction.LOGIN, client_ip="10.0.0.1", account="ana@example.com")
    await limiter.forget_account(AuthAction.LOGIN, "ANA@example.com")
    await limiter.hit(AuthAction.LOGIN, client_ip="10.0.0.1", account="ana@example.com")
    with pytest.raises(RateLimited):  # the IP window is not forgotten
        await limiter.hit(AuthAction.LOGIN, client_ip="10.0.0.1", account="ana@example.com")


async def test_forgetting_an_account_leaves_no_failed_background_task() -> None:
    limiter = AuthRateLimiter(login_per_account="2/minute", login_per_ip="10/minute")
    tasks_before = asyncio.all_tasks()
    await limiter.hit(AuthAction.LOGIN, client_ip="10.0.0.1", account="ana@example.com")
    await asyncio.sleep(0)  # the storage's expiry task starts and yields inside its pass over the keys
    await limiter.forget_account(AuthAction.LOGIN, "ana@example.com")

    background = asyncio.all_tasks() - tasks_before - {asyncio.current_task()}
    assert background
    outcomes = await asyncio.gather(*background, return_exceptions=True)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    for _ in range(2):
        await limiter.hit(AuthAction.LOGIN, client_ip="10.0.0.1", account="ana@example.com")


async def test_login_is_blocked_per_ip_across_accounts() -> None:
    limiter = AuthRateLimiter(login_per_account="100/minute", login_per_ip="2/minute")
    await limiter.hit(AuthAction.LOGIN, client_ip="10.0.0.9", account="a@example.com")
    await limiter.hit(AuthAction.LOGIN, client_ip="10.0.0.9", account="b@example.com")
    with pytest.raises(RateLimited, match="too many login attempts"):
        await limiter.hit(AuthAction.LOGIN, client_ip="10.0.0.9", account="c@example.com")
    await limiter.hit(AuthAction.LOGIN, client_ip="10.0.0.10", account="c@example.com")


async def test_registration_has_its_own_window() -> None:
    limiter = AuthRateLimiter(registration_per_ip="1/hour", login_per_ip="5/minute")
    await limiter.hit(AuthAction.REGISTRATION, client_ip="10.0.0.1")
    with pytest.raises(RateLimited) as caught:
        await limiter.hit(AuthAction.REGISTRATION, client_ip="10.0.0.1", account="new@example.com")
    assert 3500 < caught.value.retry_after_s <= 3600
    await limiter.hit(AuthAction.LOGIN, client_ip="10.0.0.1", account="new@example.com")


async def test_limiters_do_not_share_memory_storage() -> None:
    first, second = AuthRateLimiter(login_per_ip="1/minute"), AuthRateLimiter(login_per_ip="1/minute")
    await first.hit(AuthAction.LOGIN, client_ip="10.0.0.1")
    await second.hit(AuthAction.LOGIN, client_ip="10.0.0.1")


def test_settings_build_the_limiter_and_bad_values_name_the_variable() -> None:
    AuthRateLimiter.from_settings(load_settings(login_rate_limit_per_account="10 per hour"))
    with pytest.raises(ConfigurationError, match="INFRA_MIND_LOGIN_RATE_LIMIT_PER_IP"):
        load_settings(login_rate_limit_per_ip="often")
    with pytest.raises(ConfigurationError, match="INFRA_MIND_RATE_LIMIT_STORAGE_URL"):
        AuthRateLimiter(storage_url="nowhere://host")
