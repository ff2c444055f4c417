"""`infra-mind serve`: the API on uvicorn, on embedded defaults, bound to the loopback unless told.

uvicorn and the API are imported when the command runs, so other commands do not pay for them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from infra_mind.config import EmbeddedRunner, RunnerKind, load_settings
from infra_mind.errors import ConfigurationError, DatabaseUnavailable
from infra_mind.logs import configure_logging

EXIT_UNAVAILABLE = 1
EXIT_INVALID = 2


def serve(
    host: Annotated[
        str, typer.Option(help="address to bind; 0.0.0.0 exposes the API to the network")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65_535, help="TCP port")] = 8000,
) -> None:
    """Start the API and its runner (migrating the database first)."""
    import asyncio

    import uvicorn

    from infra_mind.api.app import create_app
    from infra_mind.jobs.interpreter import favour_io_over_compute
    from infra_mind.observability.heap import freeze_startup_heap
    from infra_mind.store.migrate import upgrade_to_head

    console = Console(stderr=True, soft_wrap=True)  # one line per error, for log collectors
    try:
        settings = load_settings()
        configure_logging(settings.log_level, json=settings.log_json)
        app = create_app(settings, migrate=False)
    except ConfigurationError as exc:
        console.print(Text.assemble(("invalid configuration", "red"), f": {exc.message}"))
        raise typer.Exit(EXIT_INVALID) from exc
    try:
        asyncio.run(upgrade_to_head(settings.database_url))
    except DatabaseUnavailable as exc:
        console.print(Text.assemble(("database unavailable", "red"), f": {exc.message}"))
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    freeze_startup_heap()
    if settings.runner is RunnerKind.INPROCESS and settings.embedded_runner is EmbeddedRunner.THREAD:
        favour_io_over_compute()
    # uvicorn's own loggers stay quiet below the level chosen for ours; requests are logged by the app
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), access_log=False)
