"""Template filters: money, durations and dates as people read them."""

from __future__ import annotations

from datetime import UTC, datetime

from jinja2 import Environment


def usd(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"${value:,.{digits}f}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def when(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def install_filters(env: Environment) -> None:
    env.filters["usd"] = usd
    env.filters["duration"] = duration
    env.filters["when"] = when
