from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra_mind.auth.passwords import PasswordHasher
from infra_mind.cli.main import app as main_app
from infra_mind.store.db import Database
from infra_mind.store.migrate import upgrade_to_head
from infra_mind.store.models import User
from infra_mind.store.repositories import UserRepository

PASSWORD = "Correct-horse-42"


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}"
    monkeypatch.setenv("INFRA_MIND_DATABASE_URL", url)
    return url


def _user(url: str, email: str) -> User | None:
    async def load() -> User | None:
        await upgrade_to_head(url)
        database = Database(url)
        try:
            async with database.session() as session:
                return await UserRepository(session).by_email(email)
        finally:
            await database.dispose()

    return asyncio.run(load())


def test_creates_an_admin_from_stdin_on_a_new_database(database_url: str) -> None:
    result = CliRunner().invoke(
        main_app, ["admin", "create-user", "Root@Example.com", "--admin", "--password-stdin"], input=PASSWORD
    )
    assert result.exit_code == 0, result.output
    user = _user(database_url, "root@example.com")
    assert user is not None
    assert user.is_admin
    assert PasswordHasher().verify(PASSWORD, user.password_hash)


def test_prompts_twice_and_refuses_a_mismatch(database_url: str) -> None:
    mismatch = CliRunner().invoke(
        main_app, ["admin", "create-user", "ada@example.com"], input=f"{PASSWORD}\nOther-password-7\n"
    )
    assert mismatch.exit_code != 0
    assert _user(database_url, "ada@example.com") is None

    typed = CliRunner().invoke(
        main_app, ["admin", "create-user", "ada@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert typed.exit_code == 0, typed.output
    user = _user(database_url, "ada@example.com")
    assert user is not None
    assert not user.is_admin


def test_a_weak_password_is_refused_with_the_rule(database_url: str) -> None:
    result = CliRunner().invoke(
        main_app, ["admin", "create-user", "ada@example.com", "--password-stdin"], input="short\n"
    )
    assert result.exit_code == 2
    assert "at least 12 characters" in result.output
    assert _user(database_url, "ada@example.com") is None


def test_an_empty_stdin_is_no_password(database_url: str) -> None:
    result = CliRunner().invoke(main_app, ["admin", "create-user", "ada@example.com", "--password-stdin"])
    assert result.exit_code == 2


def test_a_taken_email_exits_1(database_url: str) -> None:
    args = ["admin", "create-user", "ada@example.com", "--password-stdin"]
    assert CliRunner().invoke(main_app, args, input=PASSWORD).exit_code == 0
    again = CliRunner().invoke(main_app, args, input=PASSWORD)
    assert again.exit_code == 1
    assert "already registered" in again.output


def test_an_invalid_email_exits_2(database_url: str) -> None:
    result = CliRunner().invoke(
        main_app, ["admin", "create-user", "not-an-email", "--password-stdin"], input=PASSWORD
    )
    assert result.exit_code == 2
