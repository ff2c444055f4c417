from __future__ import annotations

import asyncio
from typing import Any

import pytest

from infra_mind.config import LlmProviderKind, Settings
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.input_rules import parse_input
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.knowledge.catalog import Knowledge


@pytest.fixture(scope="package")
def assessment(knowledge: Knowledge, example_inputs: dict[str, dict[str, Any]]) -> AssessmentResult:
    pipeline = build_pipeline(
        Settings(llm_provider=LlmProviderKind.OFFLINE), knowledge, InMemoryEventBus(), report_formats=()
    )
    spec = parse_input(example_inputs["healthtech-hipaa"])
    return asyncio.run(pipeline.run(spec, run_id="chat-test")).result
