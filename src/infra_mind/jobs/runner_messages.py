"""What the API process and its runner process tell each other over their pipe."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.domain.events import Event
from infra_mind.observability.metrics import RunObservation


@dataclass(frozen=True)
class Wake:
    """A queued run was committed: look at the queue now rather than at the next poll."""


@dataclass(frozen=True)
class CancelRun:
    """Stop this run now if it executes here (the request is already in the database)."""

    run_id: str


@dataclass(frozen=True)
class Stop:
    """Stop taking runs; runs in flight go back to the queue; then exit."""


ToRunner = Wake | CancelRun | Stop


@dataclass(frozen=True)
class Ready:
    """Interrupted runs recovered; queued runs are being taken."""


@dataclass(frozen=True)
class StartFailed:
    reason: str


@dataclass(frozen=True)
class Announced:
    """A stored event, for the API process's subscribers."""

    event: Event


@dataclass(frozen=True)
class RunStarted:
    mode: str


@dataclass(frozen=True)
class RunFailed:
    mode: str


@dataclass(frozen=True)
class QueueCounts:
    queued: int
    in_flight: int


@dataclass(frozen=True)
class RunFinished:
    observation: RunObservation


FromRunner = Ready | StartFailed | Announced | RunStarted | RunFailed | QueueCounts | RunFinished
