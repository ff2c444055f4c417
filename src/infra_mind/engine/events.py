"""Where a pipeline sends events, an in-memory bus that also replays them, and the per-run emitter."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Protocol

from infra_mind.domain.events import Event, EventType

TERMINAL = frozenset({EventType.RUN_COMPLETED, EventType.RUN_FAILED, EventType.RUN_CANCELLED})


class EventSink(Protocol):
    """Where a run's pipeline sends its events."""

    async def publish(self, event: Event) -> None: ...


class InMemoryEventBus:
    """Keeps every run's events for replay and fans them out to live subscribers in one process."""

    def __init__(self) -> None:
        self._history: dict[str, list[Event]] = defaultdict(list)
        self._subscribers: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)

    async def publish(self, event: Event) -> None:
        self._history[event.run_id].append(event)
        for queue in self._subscribers.get(event.run_id, ()):
            queue.put_nowait(event)

    def history(self, run_id: str) -> list[Event]:
        return list(self._history.get(run_id, ()))

    async def subscribe(self, run_id: str, after_seq: int = 0) -> AsyncIterator[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._subscribers[run_id].add(queue)
        try:
            last = after_seq
            for event in self.history(run_id):
                if event.seq > last:
                    last = event.seq
                    yield event
                    if event.type in TERMINAL:
                        return
            while True:
                event = await queue.get()
                if event.seq <= last:
                    continue
                last = event.seq
                yield event
                if event.type in TERMINAL:
                    return
        finally:
            self._subscribers[run_id].discard(queue)


class RunEmitter:
    """Numbers one run's events in order and hands them to the bus."""

    def __init__(self, bus: EventSink, run_id: str, start_seq: int = 0) -> None:
        self._bus = bus
        self.run_id = run_id
        self._seq = start_seq

    async def emit(
        self, type_: EventType, *, agent: str | None = None, phase: str | None = None, **data: Any
    ) -> Event:
        self._seq += 1
        event = Event(
            run_id=self.run_id,
            seq=self._seq,
            type=type_,
            at=datetime.now(UTC),
            agent=agent,
            phase=phase,
            data=data,
        )
        await self._bus.publish(event)
        return event
