"""The smallest JSON value that satisfies a JSON schema: required properties only, the first enum value or
union branch, arrays of one item (or minItems), strings padded to minLength. Covers what pydantic and
OpenAI strict schemas use ($ref/$defs, anyOf/oneOf/allOf, const, enum, type lists, formats)."""

from __future__ import annotations

import math
from typing import Any

FORMATTED_STRINGS = {
    "date": "2026-01-01",
    "date-time": "2026-01-01T00:00:00Z",
    "time": "00:00:00Z",
    "email": "mock@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
PLAIN_STRING = "mock"
MAX_DEPTH = 32


def minimal_instance(schema: Any, text: str = PLAIN_STRING, root: Any = None, depth: int = 0) -> Any:
    """`text` fills every free-form string (not enums, consts or formatted strings)."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None
    if "$ref" in schema:
        return minimal_instance(_resolve(schema["$ref"], root), text, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for union in ("anyOf", "oneOf"):
        if schema.get(union):
            return minimal_instance(_prefer_non_null(schema[union]), text, root, depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged = _merge(merged, _resolve(part["$ref"], root) if "$ref" in part else part)
        return minimal_instance(
            {**merged, **{k: v for k, v in schema.items() if k != "allOf"}}, text, root, depth
        )
    kind = _first_type(schema)
    if kind == "object":
        return {
            name: minimal_instance(schema.get("properties", {}).get(name, {}), text, root, depth + 1)
            for name in schema.get("required", [])
        }
    if kind == "array":
        item = minimal_instance(schema.get("items", {}), text, root, depth + 1)
        return [item] * max(1, int(schema.get("minItems", 1)))
    if kind == "string":
        return _string(schema, text)
    if kind == "integer":
        return _number(schema, integer=True)
    if kind == "number":
        return _number(schema, integer=False)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return {} if "properties" in schema else None


def _resolve(ref: str, root: Any) -> Any:
    node = root
    for part in ref.removeprefix("#/").split("/"):
        if not part or part == "#":
            continue
        node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(node, dict) else {}
    return node


def _prefer_non_null(options: list[Any]) -> Any:
    for option in options:
        if not (isinstance(option, dict) and option.get("type") == "null"):
            return option
    return options[0]


def _merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    merged = {**left, **right}
    merged["properties"] = {**left.get("properties", {}), **right.get("properties", {})}
    merged["required"] = [*left.get("required", []), *right.get("required", [])]
    return merged


def _first_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        non_null = [k for k in kind if k != "null"]
        return non_null[0] if non_null else "null"
    if kind is None and "properties" in schema:
        return "object"
    if kind is None and "items" in schema:
        return "array"
    return kind if isinstance(kind, str) else None


def _string(schema: dict[str, Any], free_text: str) -> str:
    text = FORMATTED_STRINGS.get(str(schema.get("format")), free_text)
    min_length = int(schema.get("minLength", 0))
    if len(text) < min_length:
        text = text + "x" * (min_length - len(text))
    max_length = schema.get("maxLength")
    return text[: int(max_length)] if max_length is not None else text


def _number(schema: dict[str, Any], *, integer: bool) -> int | float:
    value = 0.0
    if "minimum" in schema:
        value = max(value, float(schema["minimum"]))
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        value = float(schema["exclusiveMinimum"]) + 1
    if "maximum" in schema:
        value = min(value, float(schema["maximum"]))
    if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        value = float(schema["exclusiveMaximum"]) - 1
    return math.ceil(value) if integer else value
