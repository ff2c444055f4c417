"""Structured output: the JSON schema sent to the server, and a tolerant reading of what comes back."""

from __future__ import annotations

import copy
import functools
import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from infra_mind.llm.errors import InvalidReply

M = TypeVar("M", bound=BaseModel)

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_UNSUPPORTED_IN_STRICT = ("default", "title")


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema adapted to OpenAI strict mode: every object closed and every property
    required (optional fields stay nullable, so the model can still say "none"). A copy: callers may
    change it."""
    return copy.deepcopy(_strict_schema(model))


@functools.cache
def _strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """Built once per model class (a class's schema never changes), as generating it costs milliseconds
    on every LLM call."""
    schema = copy.deepcopy(model.model_json_schema())
    _close_objects(schema)
    return schema


def _close_objects(node: Any) -> None:
    if isinstance(node, dict):
        for key in _UNSUPPORTED_IN_STRICT:
            if key in node and not isinstance(node[key], dict):
                node.pop(key)
        properties = node.get("properties")
        if node.get("type") == "object" and isinstance(properties, dict):
            node["additionalProperties"] = False
            node["required"] = list(properties)
        for value in node.values():
            _close_objects(value)
    elif isinstance(node, list):
        for item in node:
            _close_objects(item)


def schema_instruction(model: type[BaseModel]) -> str:
    """For servers without json_schema support: the schema goes into the prompt instead."""
    schema = json.dumps(model.model_json_schema(), separators=(",", ":"), sort_keys=True)
    return (
        "Reply with exactly one JSON object and nothing else (no prose, no code fences). "
        f"It must validate against this JSON schema: {schema}"
    )


def extract_json_object(text: str) -> dict[str, Any]:
    """The first JSON object in the text, after removing Markdown code fences; InvalidReply when none."""
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        start = candidate.find("{")
        while start != -1:
            try:
                value, _ = decoder.raw_decode(candidate, start)
            except json.JSONDecodeError:
                start = candidate.find("{", start + 1)
                continue
            if isinstance(value, dict):
                return value
            start = candidate.find("{", start + 1)
    raise InvalidReply(f"no JSON object in the reply ({_preview(text)})")


def parse_reply(text: str, schema: type[M]) -> M:
    payload = extract_json_object(text)
    try:
        return schema.model_validate(payload)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(root)'}: {error['msg']}" for error in exc.errors()
        )
        raise InvalidReply(f"reply does not match {schema.__name__}: {problems}") from exc


def _preview(text: str, limit: int = 80) -> str:
    shown = text.strip().replace("\n", " ")
    return repr(shown if len(shown) <= limit else shown[:limit] + "…") if shown else "empty reply"
