"""An OpenAI-compatible mock LLM server for tests and benchmarks: scripted replies, latency profiles,
fault injection and counters. See README.md beside this file."""

from bench.mockllm.faults import FaultKind, FaultPolicy
from bench.mockllm.profiles import (
    AgentProfile,
    FixedLatency,
    LognormalLatency,
    Match,
    NormalLatency,
    Profile,
    Rule,
    UniformLatency,
    load_profile,
)
from bench.mockllm.server import MockLlm, running_mock_llm
from bench.mockllm.stats import StatsSnapshot

__all__ = [
    "AgentProfile",
    "FaultKind",
    "FaultPolicy",
    "FixedLatency",
    "LognormalLatency",
    "Match",
    "MockLlm",
    "NormalLatency",
    "Profile",
    "Rule",
    "StatsSnapshot",
    "UniformLatency",
    "load_profile",
    "running_mock_llm",
]
