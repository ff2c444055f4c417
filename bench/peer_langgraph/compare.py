"""Fan-out overhead, ours against a LangGraph peer, in one invocation against one mock LLM server.

The mock runs in its own process (seed latency profile × unit), so neither client shares an interpreter
with it. Our side is bench/fanout_llm's parallel fan-out: eleven agents through the real orchestrator,
LlmClient and openai SDK. The peer (graph_fanout.py, run by the peer venv's Python) is a StateGraph with
eleven parallel nodes, each sending with the openai SDK the request body our agent sent for the same
agent (captured from our warm-up run): same models, prompts, schema and X-Mock-Agent latency. The sides
alternate run by run. Overhead is a run's wall minus the slowest call's scheduled latency. Our wall spans
the whole fan-out call (agents built, event bus, orchestrator); the peer's spans `ainvoke` of the graph
compiled beforehand.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx2

from bench import fanout_llm, mockllm
from infra_mind.config import load_settings
from infra_mind.domain.context import AssessmentContext
from infra_mind.engine.orchestrator import Mode
from infra_mind.errors import ConfigurationError
from infra_mind.llm import LlmClient, build_llm

PEER_SCRIPT = Path(__file__).resolve().parent / "graph_fanout.py"
STARTUP_TIMEOUT_S = 30.0
QUIET_TRACING = {"LANGSMITH_TRACING": "false", "LANGCHAIN_TRACING_V2": "false"}


class Side(Protocol):
    name: str

    async def run(self) -> float:
        """One fan-out; its wall time in seconds."""
        ...


@dataclass(frozen=True)
class SideFigures:
    name: str
    runs: int
    wall_ms_median: float
    overhead_ms_median: float
    overhead_ms_min: float
    overhead_ms_max: float
    requests_per_run: int
    peak_in_flight: int
    """the lowest peak of concurrent requests at the server over the runs (11 when every run was parallel)"""


@dataclass(frozen=True)
class PeerFigures:
    unit_s: float
    repeats: int
    slowest_ms: float
    ours: SideFigures
    peer: SideFigures

    @property
    def ratio(self) -> float:
        """The peer's overhead over ours."""
        return self.peer.overhead_ms_median / self.ours.overhead_ms_median

    def table(self) -> list[tuple[str, str, str]]:
        rows = [("slowest call's scheduled latency (both sides)", f"{self.slowest_ms:.0f} ms", "")]
        for side in (self.ours, self.peer):
            rows += [
                (f"{side.name}: wall, median of {side.runs}", f"{side.wall_ms_median:.1f} ms", ""),
                (
                    f"{side.name}: overhead over the critical path, median",
                    f"{side.overhead_ms_median:.1f} ms",
                    f"min {side.overhead_ms_min:.1f} / max {side.overhead_ms_max:.1f} ms",
                ),
                (
                    f"{side.name}: requests per run / lowest peak in flight",
                    f"{side.requests_per_run} / {side.peak_in_flight}",
                    "",
                ),
            ]
        rows.append((f"{self.peer.name} overhead ÷ {self.ours.name} overhead", f"{self.ratio:.2f}×", ""))
        return rows


class OurFanOut:
    def __init__(self, ctx: AssessmentContext, llm: LlmClient, names: list[str], timeout_s: float) -> None:
        self.name = "infra-mind"
        self.ctx, self.llm, self.names, self.agent_timeout_s = ctx, llm, names, timeout_s + 5.0

    async def run(self) -> float:
        started = time.perf_counter()
        _, records = await fanout_llm.fan_out(
            self.ctx, self.llm, self.names, self.agent_timeout_s, Mode.PARALLEL
        )
        wall_s = time.perf_counter() - started
        failed = [f"{r.agent}: {r.outcome} {r.reason}" for r in records if r.outcome != "ok"]
        if failed or len(records) != len(self.names):
            raise ConfigurationError(f"our fan-out did not get every answer: {failed or len(records)}")
        return wall_s


class LangGraphPeer:
    def __init__(self, process: asyncio.subprocess.Process, version: str, agents: int) -> None:
        self.name = f"LangGraph {version}"
        self.process, self.agents = process, agents

    async def run(self) -> float:
        answer = await self._ask("run\n")
        if answer["replies"] != self.agents:
            raise ConfigurationError(f"{self.name}: {answer['replies']} replies, expected {self.agents}")
        return float(answer["wall_s"])

    async def _ask(self, line: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode())
        await self.process.stdin.drain()
        return await _read_answer(self.process)


async def _read_answer(process: asyncio.subprocess.Process) -> dict[str, Any]:
    assert process.stdout is not None
    assert process.stderr is not None
    line = await process.stdout.readline()
    if not line:
        said = (await process.stderr.read()).decode().strip().splitlines()[-3:]
        raise ConfigurationError(f"the peer script ended: {' / '.join(said)}")
    answer: dict[str, Any] = json.loads(line)
    return answer


@asynccontextmanager
async def mock_server(unit_s: float) -> AsyncIterator[str]:
    """The mock LLM server in its own process, with the seed profile × `unit_s`; yields its base URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.mockllm",
        "--profile",
        str(fanout_llm.SEED_PROFILE),
        "--latency-scale",
        str(unit_s),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        url = (await asyncio.wait_for(process.stdout.readline(), STARTUP_TIMEOUT_S)).decode().strip()
        if not url:
            raise ConfigurationError("the mock LLM server did not start")
        yield url
    finally:
        process.terminate()
        await process.wait()


@asynccontextmanager
async def langgraph_peer(
    python: Path, base_url: str, bodies: dict[str, dict[str, Any]], timeout_s: float
) -> AsyncIterator[LangGraphPeer]:
    process = await asyncio.create_subprocess_exec(
        str(python),
        str(PEER_SCRIPT),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **QUIET_TRACING},
    )
    try:
        config = {
            "base_url": base_url,
            "agent_header": fanout_llm.AGENT_HEADER,
            "timeout_s": timeout_s,
            "calls": [{"agent": agent, "body": body} for agent, body in bodies.items()],
        }
        assert process.stdin is not None
        process.stdin.write((json.dumps(config) + "\n").encode())
        await process.stdin.drain()
        ready = await asyncio.wait_for(_read_answer(process), STARTUP_TIMEOUT_S)
        yield LangGraphPeer(process, ready["langgraph"], len(bodies))
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 10.0)
        except TimeoutError:
            process.kill()
            await process.wait()


def our_client(
    base_url: str, model: str, agents: int, timeout_s: float, http: httpx2.AsyncClient
) -> LlmClient:
    """Set as bench/fanout_llm sets it: no retries, no cache, one concurrency slot per agent."""
    settings = load_settings(
        llm_provider="openai",
        llm_base_url=f"{base_url}/v1",
        llm_model=model,
        llm_max_concurrency=agents,
        llm_timeout_s=timeout_s,
        llm_retries=0,
        llm_cache_enabled=False,
        llm_agent_header=fanout_llm.AGENT_HEADER,
    )
    return build_llm(settings, http_client=http)


async def captured_bodies(
    ctx: AssessmentContext, base_url: str, timeout_s: float
) -> dict[str, dict[str, Any]]:
    """The request body our agent sends, per agent, from one fan-out (which also warms the server)."""
    bodies: dict[str, dict[str, Any]] = {}

    async def capture(request: httpx2.Request) -> None:
        if agent := request.headers.get(fanout_llm.AGENT_HEADER):
            bodies[agent] = json.loads(request.content)

    names = _names(1.0)
    async with httpx2.AsyncClient(event_hooks={"request": [capture]}) as http:
        llm = our_client(base_url, _model(), len(names), timeout_s, http)
        await OurFanOut(ctx, llm, names, timeout_s).run()
        await llm.aclose()
    return bodies


async def compare(
    ours: Side, peer: Side, *, base_url: str, slowest_s: float, repeats: int
) -> tuple[SideFigures, SideFigures]:
    """Each side once to warm up, then `repeats` alternating runs; the server's counters are reset before
    and read after every run, outside its wall."""
    sides = (ours, peer)
    walls: tuple[list[float], list[float]] = ([], [])
    counts: tuple[list[mockllm.StatsSnapshot], list[mockllm.StatsSnapshot]] = ([], [])
    async with httpx2.AsyncClient(base_url=base_url) as control:
        for side in sides:
            await side.run()
        for _ in range(repeats):
            for side, side_walls, side_counts in zip(sides, walls, counts, strict=True):
                (await control.post("/mock/reset")).raise_for_status()
                side_walls.append(await side.run())
                side_counts.append(
                    mockllm.StatsSnapshot.model_validate((await control.get("/mock/stats")).json())
                )
    return (
        _figures(ours.name, walls[0], counts[0], slowest_s),
        _figures(peer.name, walls[1], counts[1], slowest_s),
    )


def _figures(
    name: str, walls: list[float], counts: list[mockllm.StatsSnapshot], slowest_s: float
) -> SideFigures:
    overheads = [(w - slowest_s) * 1000 for w in walls]
    requests = {c.requests for c in counts}
    if len(requests) != 1:
        raise ConfigurationError(f"{name}: the runs sent different numbers of requests: {sorted(requests)}")
    return SideFigures(
        name=name,
        runs=len(walls),
        wall_ms_median=statistics.median(walls) * 1000,
        overhead_ms_median=statistics.median(overheads),
        overhead_ms_min=min(overheads),
        overhead_ms_max=max(overheads),
        requests_per_run=requests.pop(),
        peak_in_flight=min(c.peak_in_flight for c in counts),
    )


async def measure(
    ctx: AssessmentContext, *, unit_s: float, repeats: int, peer_python: Path, timeout_s: float | None = None
) -> PeerFigures:
    """`peer_python`: the peer venv's Python (bench/peer_langgraph/venv.py)."""
    latency = fanout_llm.latencies_s(fanout_llm.seed_profile(unit_s))
    names, slowest_s = list(latency), max(latency.values())
    timeout_s = timeout_s if timeout_s is not None else max(1.0, 2 * slowest_s)
    async with mock_server(unit_s) as url:
        bodies = await captured_bodies(ctx, url, timeout_s)
        async with (
            httpx2.AsyncClient() as http,
            langgraph_peer(peer_python, f"{url}/v1", bodies, timeout_s) as peer,
        ):
            llm = our_client(url, _model(), len(names), timeout_s, http)
            ours, theirs = await compare(
                OurFanOut(ctx, llm, names, timeout_s),
                peer,
                base_url=url,
                slowest_s=slowest_s,
                repeats=repeats,
            )
            await llm.aclose()
    return PeerFigures(unit_s=unit_s, repeats=repeats, slowest_ms=slowest_s * 1000, ours=ours, peer=theirs)


def _names(unit_s: float) -> list[str]:
    return list(fanout_llm.latencies_s(fanout_llm.seed_profile(unit_s)))


def _model() -> str:
    return fanout_llm.seed_profile(1.0).models[0]


def as_json(figures: PeerFigures) -> dict[str, Any]:
    return {
        "unit_s": figures.unit_s,
        "repeats": figures.repeats,
        "slowest_ms": figures.slowest_ms,
        "ours": dict(figures.ours.__dict__),
        "peer": dict(figures.peer.__dict__),
        "peer_overhead_over_ours": figures.ratio,
    }
