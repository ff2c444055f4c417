"""Helpers every importer shares: naming the file, reading prices, failing clearly, logging a summary."""

from __future__ import annotations

import json
import math
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any, BinaryIO

import structlog

from infra_mind.errors import InputUnreadable
from infra_mind.knowledge.importers.result import ImportResult

HOURS_PER_YEAR = 8760
log = structlog.get_logger()


def file_name(stream: BinaryIO) -> str:
    name = getattr(stream, "name", None)
    return PurePath(name).name if isinstance(name, str) else "<stream>"


def unreadable(fmt: str, name: str, problem: str) -> InputUnreadable:
    return InputUnreadable(f"{name} is not a readable {fmt} file: {problem}")


def price(value: Any) -> Decimal | None:
    """A positive price from a number or numeric string; zero, blank, 'N/A' and the like are no price."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() and number > 0 else None


def usd(value: Decimal) -> float:
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"price {value} is out of range")
    return result


def json_documents(stream: BinaryIO, fmt: str) -> list[Any]:
    """Every JSON document in the file: one document, or several written one after another (as successive
    API pages appended to one file are)."""
    name = file_name(stream)
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise unreadable(fmt, name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    decoder = json.JSONDecoder()
    documents: list[Any] = []
    position = _skip_blank(text, 0)
    while position < len(text):
        try:
            document, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise unreadable(
                fmt, name, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from exc
        documents.append(document)
        position = _skip_blank(text, position)
    if not documents:
        raise unreadable(fmt, name, "the file is empty")
    return documents


def log_parsed(result: ImportResult, **counts: int) -> None:
    log.info(
        "catalog.import.parsed",
        source=result.source,
        as_of=result.as_of.isoformat(),
        instances=len(result.instances),
        region_prices=sum(len(i.prices) for i in result.instances),
        services=len(result.services),
        skipped=len(result.skipped),
        **counts,
    )


def _skip_blank(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position
