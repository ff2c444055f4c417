"""The default provider: no model, no network. It writes a narrative from the structured data the request
carries, through small templates, so reports read well without any LLM.

What it reads from `request.data` (all optional): `title` (str), `summary` (str), `findings` and
`recommendations` (lists of mappings with `title` and optionally `detail`/`rationale`, `severity`/
`priority`), `facts` (a mapping of label → value). What it cannot produce: anything that is not in the data —
no new insight, no extra recommendations, no answer to a question beyond the data. For a schema request it
fills each field from the data field of the same name, and text fields named like a narrative (see
NARRATIVE_FIELDS) with the narrative; other fields keep their defaults (e.g. empty lists). A schema with a
required field it cannot fill gets InvalidReply, like a model that could not answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from infra_mind.llm.errors import InvalidReply
from infra_mind.llm.provider import LlmReply, LlmRequest, TokenUsage

NARRATIVE_FIELDS = frozenset({"narrative", "summary", "text", "answer", "explanation", "overview"})
MAX_LISTED = 5


class OfflineProvider:
    name = "offline"
    model = "offline"

    @property
    def cache_scope(self) -> str:
        return "offline"

    async def aclose(self) -> None:
        return None

    async def complete(self, request: LlmRequest) -> LlmReply:
        started = time.perf_counter()
        narrative = render_narrative(request.agent, request.data)
        parsed = _build(request.schema, request.data, narrative) if request.schema is not None else None
        text = parsed.model_dump_json() if parsed is not None else narrative
        return LlmReply(
            text=text,
            model=self.model,
            usage=TokenUsage(),
            parsed=parsed,
            cost_usd=0.0,
            latency_s=time.perf_counter() - started,
            structured_mode="offline" if parsed is not None else None,
        )


def render_narrative(agent: str, data: Mapping[str, Any]) -> str:
    title = _text(data.get("title")) or agent.replace("_", " ").capitalize()
    summary = _text(data.get("summary"))
    paragraphs = [f"{title}: {summary}" if summary else f"{title}."]
    findings = _items(data.get("findings"), "detail", "severity")
    if findings:
        paragraphs.append(_listing("Key findings", findings))
    recommendations = _items(data.get("recommendations"), "rationale", "priority")
    if recommendations:
        paragraphs.append(_listing("Recommended next steps", recommendations))
    facts = data.get("facts")
    if isinstance(facts, Mapping) and facts:
        shown = "; ".join(f"{label}: {_text(value)}" for label, value in sorted(facts.items()))
        paragraphs.append(f"Figures used: {shown}.")
    if len(paragraphs) == 1 and not summary:
        paragraphs.append("No structured findings were provided for this section.")
    return "\n\n".join(paragraphs)


def _listing(heading: str, items: list[str]) -> str:
    shown = items[:MAX_LISTED]
    more = len(items) - len(shown)
    lines = [f"{heading}:"] + [f"{n}. {item}" for n, item in enumerate(shown, start=1)]
    if more:
        lines.append(f"({more} more in the detailed section.)")
    return "\n".join(lines)


def _items(value: Any, detail_key: str, level_key: str) -> list[str]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    rendered = []
    for item in value:
        if isinstance(item, Mapping):
            title = _text(item.get("title"))
            if not title:
                continue
            level = _text(item.get(level_key))
            detail = _text(item.get(detail_key))
            line = f"{title} ({level})" if level else title
            rendered.append(f"{line} — {detail}" if detail else line)
        elif _text(item):
            rendered.append(_text(item))
    return rendered


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int | bool):
        return str(value)
    return json.dumps(value, sort_keys=True, default=str)


def _build(schema: type[BaseModel], data: Mapping[str, Any], narrative: str) -> BaseModel:
    values: dict[str, Any] = {}
    for name, field in schema.model_fields.items():
        key = field.alias or name
        if key in data:
            values[key] = data[key]
        elif name in NARRATIVE_FIELDS and field.annotation in (str, str | None):
            values[key] = narrative
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        missing = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        raise InvalidReply(f"the offline provider cannot fill {schema.__name__} ({missing})") from exc
