"""Request, fault and concurrency counters, read from any thread."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import BaseModel


class StatsSnapshot(BaseModel):
    requests: int
    completed: int
    in_flight: int
    peak_in_flight: int
    rejected_json_schema: int
    faults: dict[str, int]
    requests_by_agent: dict[str, int]

    @property
    def total_faults(self) -> int:
        return sum(self.faults.values())


class Stats:
    """`requests` counts chat completions received; `completed` those that got a full answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._completed = 0
        self._in_flight = 0
        self._peak = 0
        self._rejected = 0
        self._faults: Counter[str] = Counter()
        self._by_agent: Counter[str] = Counter()

    def next_request(self, agent: str | None) -> int:
        """Counts a request and returns its sequence number (1-based)."""
        with self._lock:
            self._requests += 1
            self._by_agent[agent or "-"] += 1
            return self._requests

    def count_fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def count_rejection(self) -> None:
        with self._lock:
            self._rejected += 1

    def count_completed(self) -> None:
        with self._lock:
            self._completed += 1

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        with self._lock:
            self._in_flight += 1
            self._peak = max(self._peak, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def reset(self) -> None:
        """Zeroes the counters; the peak restarts from the requests still in flight."""
        with self._lock:
            self._requests = self._completed = self._rejected = 0
            self._peak = self._in_flight
            self._faults.clear()
            self._by_agent.clear()

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            return StatsSnapshot(
                requests=self._requests,
                completed=self._completed,
                in_flight=self._in_flight,
                peak_in_flight=self._peak,
                rejected_json_schema=self._rejected,
                faults=dict(self._faults),
                requests_by_agent=dict(self._by_agent),
            )
