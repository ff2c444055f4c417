"""The settings every command starts from: an invalid INFRA_MIND_* variable is named, and exits 2."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.text import Text

from infra_mind.config import Settings, load_settings
from infra_mind.errors import ConfigurationError
from infra_mind.logs import configure_logging

EXIT_INVALID = 2


def settings_or_exit(console: Console) -> Settings:
    """Loaded and validated, with logging configured from them."""
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        console.print(Text.assemble(("invalid configuration", "red"), f": {exc.message}"))
        raise typer.Exit(EXIT_INVALID) from exc
    configure_logging(settings.log_level, json=settings.log_json)
    return settings
