from __future__ import annotations

from collections.abc import Iterator

import pytest
from bench.mockllm import MockLlm, Profile, running_mock_llm


@pytest.fixture(scope="module")
def mock_server() -> Iterator[MockLlm]:
    with running_mock_llm() as mock:
        yield mock


@pytest.fixture
def mock_llm(mock_server: MockLlm) -> MockLlm:
    """The module's server with a default profile and zeroed counters."""
    mock_server.profile = Profile()
    mock_server.reset()
    return mock_server
