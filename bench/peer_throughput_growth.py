"""The LangGraph peer, offline throughput and cost-growth sections of `python -m bench`: each measures,
prints its tables and returns what goes in the JSON file."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import growth, growth_inputs, throughput
from bench.peer_langgraph import compare, venv
from infra_mind.domain.context import AssessmentContext
from infra_mind.knowledge.catalog import Knowledge

GROWTH_BASE = "healthtech-hipaa"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--skip-peer", action="store_true", help="skip the LangGraph peer comparison")
    parser.add_argument("--peer-repeats", type=int, default=5, help="peer: alternating run pairs (default 5)")
    parser.add_argument("--skip-throughput", action="store_true", help="skip the offline throughput section")
    parser.add_argument(
        "--throughput-per-process",
        type=int,
        default=12,
        help="throughput: assessments per worker process (default 12)",
    )
    parser.add_argument("--skip-growth", action="store_true", help="skip the cost growth curves")
    parser.add_argument(
        "--growth-repeats", type=int, default=5, help="growth: timed runs per point (default 5)"
    )


def peer(console: Console, args: argparse.Namespace, ctx: AssessmentContext) -> dict[str, Any]:
    try:
        python = venv.ensure()
    except venv.PeerUnavailable as exc:
        console.print(f"LangGraph peer skipped: the peer venv could not be built: {exc.reason}")
        return {"skipped": f"the peer venv could not be built: {exc.reason}"}
    figures = asyncio.run(
        compare.measure(ctx, unit_s=args.llm_unit, repeats=args.peer_repeats, peer_python=python)
    )
    table = Table(
        title=f"fan-out overhead, ours against LangGraph: 11 parallel LLM calls to one mock server, seed "
        f"profile × {figures.unit_s:g} s, {figures.repeats} alternating runs each"
    )
    for column in ("measure", "value", "spread"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for row in figures.table():
        table.add_row(*row)
    console.print(table)
    return compare.as_json(figures)


def offline_throughput(console: Console, args: argparse.Namespace, examples: list[Path]) -> list[Any]:
    figures = throughput.measure_all(examples, per_process=args.throughput_per_process)
    table = Table(
        title="offline throughput: spawned worker processes, knowledge loaded once each, "
        f"examples in turn ({', '.join(e.stem for e in examples)})"
    )
    for column in throughput.TABLE_COLUMNS:
        table.add_column(column, justify="right")
    for row in throughput.table_rows(figures):
        table.add_row(*row)
    console.print(table)
    return [f.__dict__ for f in figures]


def cost_growth(
    console: Console, args: argparse.Namespace, examples: list[Path], knowledge: Knowledge
) -> list[dict[str, Any]]:
    base = next(e for e in examples if e.stem == GROWTH_BASE)
    curves = growth.measure(
        growth_inputs.curves(base, examples, knowledge), knowledge, repeats=args.growth_repeats
    )
    for curve in curves:
        table = Table(
            title=f"cost growth with {growth.AXIS_UNITS[curve.axis]} ({base.stem} varied): one offline "
            f"assessment, median of {curve.repeats}; memory = tracemalloc peak of one run after a warm-up, "
            "in a spawned process"
        )
        for column in growth.TABLE_COLUMNS:
            table.add_column(column, justify="right")
        for row in growth.table_rows(curve):
            table.add_row(*row)
        console.print(table)
    return growth.as_json(curves)
