"""Run events in the database and to live subscribers in this process: the bus the runner's pipeline uses.

The database numbers the events (EventRepository.append), so the numbers stay gap-free across a restart
that re-runs a run. A subscriber first replays from the database, then follows live events; a gap in the
live stream, or a quiet poll interval (the run may execute in another process), sends it back to the
database, so it never misses or repeats an event.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any, Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from infra_mind.domain.events import Event, EventType
from infra_mind.engine.events import TERMINAL
from infra_mind.errors import NotFound
from infra_mind.jobs.event_writer import EventWriter
from infra_mind.store.db import Database
from infra_mind.store.models import EventRow
from infra_mind.store.repositories import EventRepository, RunRepository
from infra_mind.store.repositories.events import NewEvent, StoredEvent, append_events, append_events_after
from infra_mind.store.repositories.runs import TERMINAL_STATES

log = structlog.get_logger(__name__)

REPLAY_PAGE = 500


def row_data(event: Event) -> dict[str, Any]:
    """The stored form: the event's data with its agent and phase (emit() keeps those names out of data)."""
    data = dict(event.data)
    if event.agent is not None:
        data["agent"] = event.agent
    if event.phase is not None:
        data["phase"] = event.phase
    return data


def _new_events(events: list[Event]) -> list[NewEvent]:
    return [NewEvent(event.run_id, event.type.value, row_data(event)) for event in events]


def _numbered(events: list[Event], rows: list[StoredEvent]) -> list[Event]:
    return [
        event.model_copy(update={"seq": row.seq, "at": row.created_at})
        for event, row in zip(events, rows, strict=True)
    ]


def event_from_row(row: EventRow) -> Event:
    data = dict(row.data)
    agent, phase = data.pop("agent", None), data.pop("phase", None)
    return Event(
        run_id=row.run_id,
        seq=row.seq,
        type=EventType(row.type),
        at=row.created_at,
        agent=agent,
        phase=phase,
        data=data,
    )


class EventRelay(Protocol):
    def send(self, event: Event) -> None:
        """Hands a stored event to other processes; never blocks, never raises."""


class EventHub:
    """The engine's EventSink: events stored, relayed and followed (SSE). One per runner; subscribers
    are per process."""

    def __init__(
        self, database: Database, *, poll_interval_s: float = 1.0, relay: EventRelay | None = None
    ) -> None:
        """With a `relay`, announced events also reach the subscribers of other processes."""
        self._database = database
        self._poll_interval_s = poll_interval_s
        self._relay = relay
        self._writer = EventWriter(self._store_batch)
        self._subscribers: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)
        self._held: dict[str, Event | None] = {}

    def hold_terminal(self, run_id: str) -> None:
        """The run's final event waits for `take_terminal`: the runner stores it with the results, so a
        subscriber that sees the run end can already read everything the run produced."""
        self._held[run_id] = None

    def take_terminal(self, run_id: str) -> Event | None:
        return self._held.pop(run_id, None)

    async def publish(self, event: Event) -> None:
        if event.run_id not in self._held:
            # Its execution was stopped (a time limit, a lost lease) while an agent task outlived it: that
            # agent must not add events after the final one, nor to a run another worker now executes.
            log.warning("events.dropped_after_execution", run_id=event.run_id, type=event.type.value)
            return
        if event.type in TERMINAL:
            self._held[event.run_id] = event
            return
        stored = await self._writer.write(event)
        self.announce(stored)

    async def close(self) -> None:
        """Stops the event writer; what it has not stored by now is refused to its publishers."""
        await self._writer.close()

    async def append(self, session: AsyncSession, event: Event) -> Event:
        """Stores the event in the caller's unit of work; `announce` the answer after the commit."""
        (stored,) = await self.append_many(session, [event])
        return stored

    async def append_many(self, session: AsyncSession, events: list[Event]) -> list[Event]:
        return _numbered(events, await EventRepository(session).append_many(_new_events(events)))

    async def append_after(self, work: Callable[[Session], object], event: Event) -> Event:
        """`work`, then the event stored, in one transaction of Database.run_transaction (`work` must
        pickle: on SQLite it may run in a writer process); `announce` the answer."""
        (stored,) = _numbered(
            [event],
            await self._database.run_transaction(
                partial(append_events_after, work=work, events=_new_events([event]))
            ),
        )
        return stored

    async def _store_batch(self, events: list[Event]) -> list[Event]:
        """A batch in a transaction of its own, on SQLite's writer when the database is a file."""
        return _numbered(
            events, await self._database.run_transaction(partial(append_events, events=_new_events(events)))
        )

    def announce(self, event: Event) -> None:
        """After the commit that stored it: to this process's subscribers, and through the relay to others."""
        self.deliver(event)
        if self._relay is not None:
            self._relay.send(event)

    def deliver(self, event: Event) -> None:
        """To this process's subscribers only (the relay's listener calls this)."""
        for queue in self._subscribers.get(event.run_id, ()):
            queue.put_nowait(event)

    async def subscribe(self, run_id: str, after_seq: int = 0) -> AsyncIterator[Event]:
        """Every event with seq > after_seq in order, ending after the run's final event.

        The caller checks ownership first. Raises NotFound for an unknown run.
        """
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._subscribers[run_id].add(queue)
        try:
            last = after_seq
            while True:
                stored, finished = await self._stored(run_id, last)
                for event in stored:
                    last = event.seq
                    yield event
                    if event.type in TERMINAL:
                        return
                if finished and not stored:
                    return
                async for event in self._live(queue, last):
                    last = event.seq
                    yield event
                    if event.type in TERMINAL:
                        return
        finally:
            self._subscribers[run_id].discard(queue)
            if not self._subscribers[run_id]:
                del self._subscribers[run_id]

    async def _live(self, queue: asyncio.Queue[Event], last: int) -> AsyncIterator[Event]:
        """Live events while they follow on from `last`; stops on a gap or a quiet poll interval."""
        while True:
            event = await self._next(queue)
            if event is None or event.seq > last + 1:
                return
            if event.seq <= last:
                continue
            last = event.seq
            yield event

    async def _next(self, queue: asyncio.Queue[Event]) -> Event | None:
        # asyncio.wait, not wait_for: Python 3.11's wait_for can swallow the cancel of a closing stream.
        getter = asyncio.ensure_future(queue.get())
        try:
            done, _ = await asyncio.wait({getter}, timeout=self._poll_interval_s)
        finally:
            if not getter.done():
                getter.cancel()
        return getter.result() if getter in done else None

    async def _stored(self, run_id: str, after_seq: int) -> tuple[list[Event], bool]:
        """The stored events after `after_seq` and whether the run has finished."""
        async with self._database.session() as session:
            run = await RunRepository(session).load(run_id)
            if run is None:
                raise NotFound(f"run {run_id} does not exist")
            events = EventRepository(session)
            rows: list[EventRow] = []
            while True:
                page = await events.since(run.owner_id, run_id, after_seq, limit=REPLAY_PAGE)
                rows += page
                if len(page) < REPLAY_PAGE:
                    break
                after_seq = page[-1].seq
            return [event_from_row(r) for r in rows], run.status in TERMINAL_STATES
