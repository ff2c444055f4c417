from __future__ import annotations

from infra_mind.jobs.outcome import SLICE_BYTES, agent_slices
from infra_mind.store.repositories.results import AgentResultValues
from infra_mind.store.types import JsonText


def _agent(name: str, size: int) -> AgentResultValues:
    return AgentResultValues(name, "completed", 1, 0.1, JsonText('"' + "x" * (size - 2) + '"'))


def test_agent_results_are_written_in_slices_of_about_the_slice_size_in_order() -> None:
    third = SLICE_BYTES // 3
    agents = [_agent("a", third), _agent("b", third), _agent("huge", SLICE_BYTES * 4), _agent("c", third)]

    slices = agent_slices(agents)

    assert [[values.agent for values in s] for s in slices] == [["a", "b"], ["huge"], ["c"]]
    assert agent_slices([]) == []
