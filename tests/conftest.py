from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from copy import deepcopy
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml
from bench.mockllm import MockLlm, Profile, running_mock_llm

from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.input_rules import parse_input
from infra_mind.engine.validation import build_context
from infra_mind.knowledge.catalog import Knowledge

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return Knowledge.load()


@pytest.fixture(scope="session")
def example_inputs() -> dict[str, dict[str, Any]]:
    return {p.stem: yaml.safe_load(p.read_text()) for p in sorted(EXAMPLES.glob("*.yaml"))}


@pytest.fixture
def healthtech(example_inputs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A fresh, mutable copy of the health-tech example input."""
    return deepcopy(example_inputs["healthtech-hipaa"])


@pytest.fixture
def make_context(knowledge: Knowledge) -> Callable[[dict[str, Any]], AssessmentContext]:
    def build(raw: dict[str, Any]) -> AssessmentContext:
        return build_context(parse_input(raw), knowledge)

    return build


def skip_or_fail_in_ci(reason: str) -> NoReturn:
    """For an optional dependency that CI must have: a visible skip locally, a failure with CI=true."""
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason} (CI=true: CI must run this test, not skip it)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def mock_server() -> Iterator[MockLlm]:
    """One mock OpenAI-compatible server per test module (bench/mockllm)."""
    with running_mock_llm() as mock:
        yield mock


@pytest.fixture
def mock_llm(mock_server: MockLlm) -> MockLlm:
    """The module's server with a default profile and zeroed counters."""
    mock_server.profile = Profile()
    mock_server.reset()
    return mock_server
