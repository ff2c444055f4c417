"""The injection corpus, and the free-text fields of the assessment input found from its pydantic models."""

from __future__ import annotations

import re
import types
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel

from infra_mind.domain.requirements import AssessmentInput

CORPUS = Path(__file__).parent / "data" / "prompt_injections.yaml"
ANY_INDEX = -1
"""In a field template, any element of a list."""
# Markup that runs script, when it came from the input; and images that load from another site.
SCRIPT_MARKUP = re.compile(
    r"<(?:script|img|svg|iframe)\b[^>]*im-xss|<script>alert|<iframe\b[^>]*evil\.example"
    r"|href\s*=\s*[\"']?javascript:",
    re.IGNORECASE,
)
REMOTE_IMAGE = re.compile(r"<img\b[^>]*src\s*=\s*[\"']?https?://evil\.example", re.IGNORECASE)
EVALUATED_TEMPLATE = "im-ssti"

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Injection:
    id: str
    technique: str
    text: str
    probe: str


def corpus() -> list[Injection]:
    loaded = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    assert loaded["source"], "the corpus must say where it comes from"
    assert loaded["as_of"], "the corpus must say when it was written"
    return [Injection(**record) for record in loaded["records"]]


def free_text_templates(model: type[BaseModel] = AssessmentInput) -> set[Path_]:
    """Every plain `str` field (enums and literals are not free text), lists marked with ANY_INDEX."""
    return set(_text_paths(model, ()))


def _text_paths(annotation: Any, prefix: Path_) -> Iterator[Path_]:
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from _text_paths(get_args(annotation)[0], prefix)
    elif annotation is str:
        yield prefix
    elif origin is list:
        yield from _text_paths(get_args(annotation)[0], (*prefix, ANY_INDEX))
    elif origin in (Union, types.UnionType):
        for member in get_args(annotation):
            yield from _text_paths(member, prefix)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            yield from _text_paths(field.annotation, (*prefix, name))


def concrete_paths(templates: set[Path_], spec: dict[str, Any]) -> list[Path_]:
    """The templates' fields present in `spec`, one per list element, in a stable order."""
    found: set[Path_] = set()
    for template in templates:
        found.update(_expand(template, spec, ()))
    return sorted(found, key=lambda p: tuple(str(part) for part in p))


def _expand(template: Path_, value: Any, done: Path_) -> Iterator[Path_]:
    if not template:
        if isinstance(value, str):
            yield done
        return
    head, rest = template[0], template[1:]
    if head == ANY_INDEX and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _expand(rest, item, (*done, index))
    elif isinstance(value, dict) and head in value:
        yield from _expand(rest, value[head], (*done, head))


def get_at(spec: Any, path: Path_) -> Any:
    for part in path:
        spec = spec[part]
    return spec


def with_text(spec: dict[str, Any], path: Path_, text: str) -> dict[str, Any]:
    changed = deepcopy(spec)
    parent = get_at(changed, path[:-1])
    parent[path[-1]] = text
    return changed


def dotted(path: Path_) -> str:
    """The API's field path: `goals[0].description`."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")


def placement(slots: list[Path_], records: list[Injection]) -> dict[Path_, list[Injection]]:
    """One record per slot, in turn; records left over join the long `notes` field, a line each."""
    placed: dict[Path_, list[Injection]] = {slot: [records[i % len(records)]] for i, slot in enumerate(slots)}
    placed.setdefault(("notes",), []).extend(records[len(slots) :])
    return placed
