"""structlog configuration: dotted event names with context, console or JSON."""

from __future__ import annotations

import logging
import sys

import structlog


def configure_logging(level: str = "WARNING", *, json: bool = False) -> None:
    """`level` is a logging level name (Settings validates INFRA_MIND_LOG_LEVEL before it gets here)."""
    levels = logging.getLevelNamesMapping()
    if level.upper() not in levels:
        raise ValueError(f"unknown log level {level!r}; choose one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(levels[level.upper()]),
        logger_factory=_StderrLogger,
        cache_logger_on_first_use=True,
    )


class _StderrLogger:
    """Writes to whatever sys.stderr is at call time (test runners swap and close streams)."""

    def __init__(self, *_: object) -> None:
        pass

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    debug = info = warning = warn = error = critical = exception = fatal = log = msg
