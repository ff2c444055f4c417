"""One `Metrics` object per app, with its own registry: two apps (or two tests) never share a series."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from infra_mind.domain.assessment import AssessmentResult, RunStatus
from infra_mind.domain.metrics import LlmCallCounts

NAMESPACE = "infra_mind"
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RUN_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
AGENT_BUCKETS = (0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
NO_MODEL = "none"


class RunMetrics(Protocol):
    """What a runner records: `Metrics`, or a runner process's link that forwards to the API's; called
    on the runner's loop."""

    def run_started(self, mode: str) -> None: ...

    def run_failed(self, mode: str) -> None: ...

    def set_queue(self, *, queued: int, in_flight: int) -> None: ...

    def record_run(self, result: AssessmentResult) -> None: ...


@dataclass(frozen=True)
class RunObservation:
    """What the metrics keep of a finished run: small enough to cross from a runner process."""

    mode: str
    status: str
    total_time: float
    agents: tuple[tuple[str, str, float | None], ...]
    """(agent, status, seconds; None for an agent that never started)"""
    model: str
    llm: tuple[tuple[str, LlmCallCounts], ...]

    @classmethod
    def of(cls, result: AssessmentResult) -> RunObservation:
        metrics = result.execution_metrics
        agents = tuple(
            (
                name,
                agent.status.value,
                None if agent.started_at is None else metrics.agent_times.get(name, agent.duration_s),
            )
            for name, agent in result.agents.items()
        )
        return cls(
            mode=metrics.mode,
            status=result.status.value,
            total_time=metrics.total_time,
            agents=agents,
            model=metrics.llm.model or NO_MODEL,
            llm=tuple(metrics.llm.agents.items()),
        )


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r, ns = self.registry, NAMESPACE
        http = ("method", "route", "status")
        self.http_requests = Counter(
            "http_requests", "HTTP requests answered", http, namespace=ns, registry=r
        )
        self.http_latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            http,
            namespace=ns,
            registry=r,
            buckets=HTTP_BUCKETS,
        )
        self.runs_started = Counter("runs_started", "runs started", ("mode",), namespace=ns, registry=r)
        self.runs_finished = Counter(
            "runs_finished",
            "runs finished, by status: completed, partial, failed, cancelled",
            ("mode", "status"),
            namespace=ns,
            registry=r,
        )
        self.run_duration = Histogram(
            "run_duration_seconds",
            "wall time of a finished run",
            ("mode", "status"),
            namespace=ns,
            registry=r,
            buckets=RUN_BUCKETS,
        )
        self.agent_duration = Histogram(
            "agent_duration_seconds",
            "time of one agent in a run, retries included",
            ("agent", "status"),
            namespace=ns,
            registry=r,
            buckets=AGENT_BUCKETS,
        )
        self.agent_outcomes = Counter(
            "agent_outcomes", "agent results by status", ("agent", "status"), namespace=ns, registry=r
        )
        llm = ("agent", "model")
        self.llm_calls = Counter("llm_calls", "LLM calls started", llm, namespace=ns, registry=r)
        self.llm_failed_calls = Counter(
            "llm_failed_calls", "LLM calls that failed", llm, namespace=ns, registry=r
        )
        self.llm_tokens_in = Counter("llm_tokens_in", "prompt tokens", llm, namespace=ns, registry=r)
        self.llm_tokens_out = Counter("llm_tokens_out", "completion tokens", llm, namespace=ns, registry=r)
        self.llm_cost = Counter(
            "llm_cost_usd",
            "known LLM cost in USD (a lower bound when some calls are unpriced)",
            llm,
            namespace=ns,
            registry=r,
        )
        self.llm_unpriced_calls = Counter(
            "llm_unpriced_calls", "LLM calls whose price is unknown", llm, namespace=ns, registry=r
        )
        self.llm_refused_calls = Counter(
            "llm_refused_calls",
            "LLM calls not made: the run's budget was reached",
            llm,
            namespace=ns,
            registry=r,
        )
        self.queue_depth = Gauge("queue_depth", "runs waiting for a worker", namespace=ns, registry=r)
        self.runs_in_flight = Gauge("runs_in_flight", "runs executing now", namespace=ns, registry=r)
        self.workers = Gauge("workers", "Celery workers that answered a ping", namespace=ns, registry=r)
        self.task_outcomes = Counter(
            "task_outcomes",
            "run tasks a worker received, by outcome: executed, already_finished, taken_over, "
            "still_running_elsewhere, retried, failed",
            ("outcome",),
            namespace=ns,
            registry=r,
        )

    def observe_http(self, method: str, route: str, status: int, duration_s: float) -> None:
        """`route` is the route template (`/api/v1/runs/{run_id}`), not the raw path: a series per route."""
        labels = (method.upper(), route, str(status))
        self.http_requests.labels(*labels).inc()
        self.http_latency.labels(*labels).observe(duration_s)

    def run_started(self, mode: str) -> None:
        self.runs_started.labels(mode).inc()

    def set_queue(self, *, queued: int, in_flight: int) -> None:
        """The runner reports its counts; setting them (not inc/dec) cannot drift after a crash."""
        self.queue_depth.set(queued)
        self.runs_in_flight.set(in_flight)

    def run_failed(self, mode: str) -> None:
        """A run failed before it had a result to record (a crash, a time limit, a worker given up)."""
        self.runs_finished.labels(mode, RunStatus.FAILED.value).inc()

    def record_run(self, result: AssessmentResult) -> None:
        """Counts a finished run: its status and time, each agent's outcome and time, its LLM usage."""
        self.observe_run(RunObservation.of(result))

    def observe_run(self, run: RunObservation) -> None:
        self.runs_finished.labels(run.mode, run.status).inc()
        self.run_duration.labels(run.mode, run.status).observe(run.total_time)
        for name, status, duration in run.agents:
            self.agent_outcomes.labels(name, status).inc()
            if duration is not None:
                self.agent_duration.labels(name, status).observe(duration)
        for name, counts in run.llm:
            self._record_llm(name, run.model, counts)

    def _record_llm(self, agent: str, model: str, counts: LlmCallCounts) -> None:
        if not counts.calls and not counts.refused_calls:
            return
        labels = (agent, model)
        self.llm_calls.labels(*labels).inc(counts.calls)
        self.llm_failed_calls.labels(*labels).inc(counts.failed_calls)
        self.llm_tokens_in.labels(*labels).inc(counts.tokens_in)
        self.llm_tokens_out.labels(*labels).inc(counts.tokens_out)
        self.llm_cost.labels(*labels).inc(counts.known_cost_usd)
        self.llm_unpriced_calls.labels(*labels).inc(counts.unpriced_calls)
        self.llm_refused_calls.labels(*labels).inc(counts.refused_calls)

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type, for `GET /metrics`."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
