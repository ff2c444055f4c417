from __future__ import annotations

from copy import deepcopy
from typing import Any

import pytest


@pytest.fixture
def scaleup(example_inputs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A fresh, mutable copy of the LLM scale-up example input."""
    return deepcopy(example_inputs["llm-scaleup"])
