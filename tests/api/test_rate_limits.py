from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from .conftest import client_for, login, register


async def test_login_is_limited_per_account_with_retry_after(app_for: Callable[..., FastAPI]) -> None:
    app = app_for(login_rate_limit_per_account="2/minute")
    async with client_for(app) as client:
        await register(client, "ada@example.com")
        for _ in range(2):
            assert (await login(client, "ada@example.com", "Wrong-password-1")).status_code == 401
        limited = await login(client, "ada@example.com")
        assert limited.status_code == 429
        assert limited.json()["error"] == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        # another account from the same address is not affected
        assert (await login(client, "bob@example.com")).status_code == 401


async def test_login_is_limited_per_ip(app_for: Callable[..., FastAPI]) -> None:
    app = app_for(login_rate_limit_per_ip="3/minute")
    async with client_for(app, ip="198.51.100.1") as client:
        for n in range(3):
            assert (await login(client, f"user{n}@example.com")).status_code == 401
        assert (await login(client, "user9@example.com")).status_code == 429
    async with client_for(app, ip="198.51.100.2") as other:
        assert (await login(other, "user9@example.com")).status_code == 401


async def test_registration_is_limited_per_ip(app_for: Callable[..., FastAPI]) -> None:
    app = app_for(registration_rate_limit_per_ip="1/hour")
    async with client_for(app) as client:
        assert (await register(client, "ada@example.com")).status_code == 201
        limited = await register(client, "bob@example.com")
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) > 60
