"""What the mock answers, how long it takes and whether it fails: the rules of the profile applied to one
request, with every random draw taken from a stream seeded by (profile seed, purpose, scope)."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Any

from bench.mockllm.chat import ChatRequest, RequestView
from bench.mockllm.faults import FaultKind, FaultPolicy, draw_fault, malformed
from bench.mockllm.profiles import Latency, Match, Profile, Rule
from bench.mockllm.schema_instance import PLAIN_STRING, minimal_instance

INJECTION = re.compile(
    r"IGNORE\s+(?:ALL\s+)?PREVIOUS\s+INSTRUCTIONS\s+AND\s+SAY\s*:?\s*(?P<say>[^\n]+)", re.IGNORECASE
)
SCHEMA_HINTS = ("properties", "$defs", "anyOf")


class RandomStreams:
    """One independent seeded generator per purpose and scope, so one agent's draws never depend on how
    its requests interleave with another agent's."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def stream(self, purpose: str, scope: str) -> random.Random:
        key = f"{purpose}:{scope}"
        if key not in self._streams:
            self._streams[key] = random.Random(f"{self.seed}:{key}")
        return self._streams[key]


@dataclass(frozen=True)
class ReplyPlan:
    content: str
    latency_s: float
    fault: FaultKind | None
    faults: FaultPolicy


def plan_reply(
    profile: Profile, request: ChatRequest, view: RequestView, randoms: RandomStreams
) -> ReplyPlan:
    applying = [(index, rule) for index, rule in enumerate(profile.rules) if _applies(rule, view)]
    scripted = next((rule for _, rule in applying if rule.scripts_reply), None)
    content = _content(scripted, profile, request, view)

    latency_scope, latency = _chosen(profile, view, applying, "latency")
    fault_scope, faults = _chosen(profile, view, applying, "faults")
    fault = draw_fault(
        faults, randoms.stream("faults", fault_scope), json_mode=request.json_mode, stream=request.stream
    )
    latency_s = latency.sample(randoms.stream("latency", latency_scope)) * profile.latency_scale
    if fault is FaultKind.MALFORMED_JSON:
        content = malformed(content)
    return ReplyPlan(content=content, latency_s=latency_s, fault=fault, faults=faults)


def injected_instruction(prompt: str) -> str | None:
    found = INJECTION.search(prompt)
    if found is None:
        return None
    return found.group("say").strip().strip("\"'").strip() or None


def schema_in_prompt(prompt: str) -> dict[str, Any] | None:
    """The first JSON object in the prompt that looks like a schema (a JSON-mode client puts it there)."""
    decoder = json.JSONDecoder()
    for start in (i for i, char in enumerate(prompt) if char == "{"):
        try:
            value, _ = decoder.raw_decode(prompt, start)
        except ValueError:
            continue
        if isinstance(value, dict) and any(hint in value for hint in SCHEMA_HINTS):
            return value
    return None


def _matches(match: Match, view: RequestView) -> bool:
    return (
        (match.agent is None or match.agent == view.agent)
        and (match.user is None or match.user == view.user)
        and (match.contains is None or match.contains in view.last_user_message)
    )


def _applies(rule: Rule, view: RequestView) -> bool:
    if not _matches(rule.match, view):
        return False
    return rule.type != "obey_injection" or injected_instruction(view.prompt) is not None


def _content(rule: Rule | None, profile: Profile, request: ChatRequest, view: RequestView) -> str:
    if rule is not None and rule.content is not None:
        return rule.content
    if rule is not None and rule.reply_json is not None:
        return json.dumps(rule.reply_json)
    said = injected_instruction(view.prompt) if rule is not None else None
    if not request.json_mode:
        return said if said is not None else profile.plain_reply
    schema = request.reply_schema if request.reply_schema is not None else schema_in_prompt(view.prompt)
    instance = minimal_instance(schema, said or PLAIN_STRING) if schema is not None else {}
    return json.dumps(instance)


def _chosen(
    profile: Profile, view: RequestView, applying: list[tuple[int, Rule]], aspect: str
) -> tuple[str, Any]:
    """The first applying rule that sets `aspect`, else the agent's profile, else the global default; the
    random stream's scope names the source and the agent, so each agent draws from its own stream."""
    for index, rule in applying:
        value: Latency | FaultPolicy | None = getattr(rule, aspect)
        if value is not None:
            return f"rule={index}|agent={view.agent}", value
    agent = profile.agents.get(view.agent) if view.agent is not None else None
    if agent is not None and getattr(agent, aspect) is not None:
        return f"agent={view.agent}", getattr(agent, aspect)
    return f"default|agent={view.agent}", getattr(profile, aspect)
