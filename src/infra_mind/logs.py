"""structlog configuration: dotted event names with context, console or JSON."""

from __future__ import annotations

import logging
import sys

import structlog
from structlog.tracebacks import ExceptionDictTransformer


def configure_logging(level: str = "WARNING", *, json: bool = False) -> None:
    """`level` is a logging level name (Settings validates INFRA_MIND_LOG_LEVEL before it gets here)."""
    levels = logging.getLevelNamesMapping()
    if level.upper() not in levels:
        raise ValueError(f"unknown log level {level!r}; choose one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            *(_json_renderers() if json else _console_renderers()),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(levels[level.upper()]),
        logger_factory=_StderrLogger,
        cache_logger_on_first_use=True,
    )


# Both renderers' defaults would write every frame's locals (passwords, tokens) into the log.
def _json_renderers() -> list[structlog.typing.Processor]:
    tracebacks = structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
    return [tracebacks, structlog.processors.JSONRenderer()]


def _console_renderers() -> list[structlog.typing.Processor]:
    return [structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)]


class _StderrLogger:
    """Writes to whatever sys.stderr is at call time (test runners swap and close streams)."""

    def __init__(self, *_: object) -> None:
        pass

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    debug = info = warning = warn = error = critical = exception = fatal = log = msg
