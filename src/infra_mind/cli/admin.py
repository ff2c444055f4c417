"""`infra-mind admin`: first-run administration. There is no default password: one is typed or piped in.

The API, auth and store modules are imported inside the command, so other commands do not pay for them."""

from __future__ import annotations

import asyncio
import re
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from infra_mind.cli.settings import EXIT_INVALID, settings_or_exit
from infra_mind.errors import Conflict, InvalidInput

EXIT_ERROR = 1


def admin_app() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True, help="Administration: create users.")
    app.command("create-user")(create_user)
    return app


def create_user(
    email: Annotated[str, typer.Argument(help="the new user's email address", show_default=False)],
    admin: Annotated[bool, typer.Option("--admin", help="make the user an administrator")] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from the first line of stdin")
    ] = False,
) -> None:
    """Create a user (migrating the database first); the password is prompted for twice unless piped in."""
    from infra_mind.api.schemas import EMAIL_PATTERN
    from infra_mind.auth.passwords import check_password_policy

    console = Console(stderr=True)
    settings = settings_or_exit(console)
    if not re.fullmatch(EMAIL_PATTERN, email.strip()):
        console.print(Text.assemble(("invalid email", "red"), f": {email!r}"))
        raise typer.Exit(EXIT_INVALID)
    password = _read_password(password_stdin)
    try:
        check_password_policy(password, email=email)
    except InvalidInput as exc:
        for error in exc.errors:
            console.print(Text.assemble(("invalid password", "red"), f": {error.message}"))
        raise typer.Exit(EXIT_INVALID) from exc
    try:
        user_id = asyncio.run(_create(settings.database_url, email, password, is_admin=admin))
    except Conflict as exc:
        console.print(Text.assemble(("error", "red"), f": {email} is already registered"))
        raise typer.Exit(EXIT_ERROR) from exc
    role = "administrator" if admin else "user"
    console.print(Text.assemble(("created", "green"), f" {role} {email.strip().lower()} ({user_id})"))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


async def _create(database_url: str, email: str, password: str, *, is_admin: bool) -> str:
    from infra_mind.auth.passwords import PasswordHasher
    from infra_mind.store.db import Database
    from infra_mind.store.migrate import upgrade_to_head
    from infra_mind.store.repositories import UserRepository

    await upgrade_to_head(database_url)
    database = Database(database_url)
    try:
        password_hash = await asyncio.to_thread(PasswordHasher().hash, password)
        async with database.session() as session:
            user = await UserRepository(session).create(email, password_hash, is_admin=is_admin)
            return user.id
    finally:
        await database.dispose()
