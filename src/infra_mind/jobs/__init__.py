"""Runs assessments off the request path: the runner interface and the embedded in-process runner."""

from infra_mind.jobs.events import EventHub, event_from_row
from infra_mind.jobs.factory import build_in_process_runner
from infra_mind.jobs.recovery import INTERRUPTED_TWICE, MAX_ATTEMPTS, Recovery
from infra_mind.jobs.runner import InProcessRunner, Runner

__all__ = [
    "INTERRUPTED_TWICE",
    "MAX_ATTEMPTS",
    "EventHub",
    "InProcessRunner",
    "Recovery",
    "Runner",
    "build_in_process_runner",
    "event_from_row",
]
