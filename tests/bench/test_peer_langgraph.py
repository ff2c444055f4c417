"""The LangGraph peer comparison. CI has no peer venv (it is built on demand by the benchmark, or by
`python -m bench.peer_langgraph.venv`), so there the comparison runs our own fan-out on both sides: the
mock server process, the captured request bodies, the alternation and the figures are exercised either way;
the LangGraph script itself only where the venv is built."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from bench.peer_langgraph import compare, venv

from bench import fanout_llm
from infra_mind.domain.context import AssessmentContext

pytestmark = pytest.mark.slow

UNIT_S = 0.02
TIMEOUT_S = 2.0


@pytest.fixture
def ctx(
    make_context: Callable[[dict[str, Any]], AssessmentContext], healthtech: dict[str, Any]
) -> AssessmentContext:
    return make_context(healthtech)


@asynccontextmanager
async def peer_side(
    ctx: AssessmentContext, url: str, bodies: dict[str, dict[str, Any]], names: list[str]
) -> AsyncIterator[compare.Side]:
    if venv.is_current():
        async with compare.langgraph_peer(
            venv.python_of(venv.PEER_VENV), f"{url}/v1", bodies, TIMEOUT_S
        ) as p:
            yield p
        return
    async with httpx2.AsyncClient() as http:
        llm = compare.our_client(url, fanout_llm.seed_profile(1.0).models[0], len(names), TIMEOUT_S, http)
        yield compare.OurFanOut(ctx, llm, names, TIMEOUT_S)
        await llm.aclose()


async def test_both_sides_send_the_same_eleven_parallel_calls_to_one_server(ctx: AssessmentContext) -> None:
    latency = fanout_llm.latencies_s(fanout_llm.seed_profile(UNIT_S))
    names, slowest_s = list(latency), max(latency.values())
    async with compare.mock_server(UNIT_S) as url:
        bodies = await compare.captured_bodies(ctx, url, TIMEOUT_S)
        async with httpx2.AsyncClient() as http, peer_side(ctx, url, bodies, names) as peer:
            llm = compare.our_client(url, fanout_llm.seed_profile(1.0).models[0], len(names), TIMEOUT_S, http)
            ours, theirs = await compare.compare(
                compare.OurFanOut(ctx, llm, names, TIMEOUT_S),
                peer,
                base_url=url,
                slowest_s=slowest_s,
                repeats=2,
            )
            await llm.aclose()

    assert sorted(bodies) == sorted(names)
    assert {body["model"] for body in bodies.values()} == set(fanout_llm.seed_profile(1.0).models[:1])
    assert all(body["response_format"]["type"] == "json_schema" for body in bodies.values())
    for side in (ours, theirs):
        assert side.runs == 2
        assert side.requests_per_run == 11
        assert side.peak_in_flight == 11
        assert side.wall_ms_median >= slowest_s * 1000
        assert side.overhead_ms_min <= side.overhead_ms_median <= side.overhead_ms_max
    assert theirs.name.startswith("LangGraph") == venv.is_current()
    figures = compare.PeerFigures(UNIT_S, 2, slowest_s * 1000, ours, theirs)
    assert figures.ratio == pytest.approx(theirs.overhead_ms_median / ours.overhead_ms_median)
    assert compare.as_json(figures)["peer_overhead_over_ours"] == figures.ratio
    assert figures.table()[-1][1] == f"{figures.ratio:.2f}×"


def test_a_venv_that_cannot_be_built_says_why(tmp_path: Path) -> None:
    with pytest.raises(venv.PeerUnavailable, match="no-such-python not found"):
        venv.ensure(tmp_path / "venv", base_python=str(tmp_path / "no-such-python"))
    with pytest.raises(venv.PeerUnavailable, match="cannot read"):
        venv.ensure(tmp_path / "venv", tmp_path / "missing-requirements.txt")
    assert not venv.is_current(tmp_path / "venv")
