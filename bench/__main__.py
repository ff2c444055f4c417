"""`python -m bench`: fan-out efficiency (simulated I/O, and real HTTP LLM calls to the mock server), offline
assessment latency, report rendering and knowledge-base load time, the LangGraph peer, offline throughput and
cost growth curves, printed and saved as JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Awaitable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvloop
import yaml
from rich.console import Console
from rich.table import Table

from bench import api, api_scale_out, catalog, fanout, fanout_llm, offline, reports, scaleout
from bench import peer_throughput_growth as more
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.input_rules import load_input_file
from infra_mind.engine.validation import build_context
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.logs import configure_logging

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TARGET_EFFICIENCY = 0.98
TARGET_OVERHEAD_MS = 3.0
TARGET_OFFLINE_MS = 500.0
TARGET_PDF_MS = 3000.0
TARGET_CATALOG_MS = 200.0
TARGET_LLM_EFFICIENCY = 0.95
ONLY_MORE = ("peer", "throughput", "growth")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--unit", type=float, default=0.05, help="seconds per latency unit (default 0.05)")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--skip-llm", action="store_true", help="skip the LLM fan-out (mock server) section")
    parser.add_argument(
        "--llm-unit", type=float, default=1.0, help="LLM fan-out: seconds per latency unit (default 1.0)"
    )
    parser.add_argument(
        "--llm-repeats", type=int, default=3, help="LLM fan-out: parallel/sequential pairs (default 3)"
    )
    parser.add_argument(
        "--llm-fault-runs", type=int, default=20, help="LLM fan-out: runs at a 30%% fault rate, at --unit"
    )
    parser.add_argument("--only", choices=["api", "scaleout", *ONLY_MORE], help="run only this section")
    parser.add_argument(
        "--skip-api", action="store_true", help="skip the API section (analyze latency, runs in flight)"
    )
    parser.add_argument("--api-clients", type=int, default=200, help="API: concurrent clients (default 200)")
    parser.add_argument(
        "--api-runs", type=int, default=1000, help="API: runs in flight (default 1000; 0 skips that phase)"
    )
    parser.add_argument(
        "--skip-scaleout", action="store_true", help="skip the scale-out section (1, 2, 4 Celery workers)"
    )
    parser.add_argument("--scaleout-runs", type=int, default=48, help="scale-out: runs per worker count")
    parser.add_argument(
        "--scaleout-unit",
        type=float,
        default=6.0,
        help="scale-out: LLM seconds per latency unit (default 6.0)",
    )
    more.add_arguments(parser)
    args = parser.parse_args()
    # The code as it was when the measurement began, whatever is edited while it runs.
    args.code = _code_version()

    configure_logging("WARNING")
    if args.only in ONLY_MORE:
        return _more_only(args)
    if args.only == "api":
        return _api_only(args)
    if args.only == "scaleout":
        return _scaleout_only(args)
    loading = catalog.measure(repeats=max(3, args.repeats // 3))
    knowledge = Knowledge.load()
    ctx = build_context(load_input_file(EXAMPLES[0]), knowledge)
    fan = asyncio.run(fanout.measure(ctx, unit_s=args.unit, repeats=args.repeats))
    fan_llm = None if args.skip_llm else _measure_llm(ctx, args)
    runs = [offline.measure(example, knowledge, repeats=args.repeats * 2) for example in EXAMPLES]
    rendered = [reports.measure(example, knowledge) for example in EXAMPLES]
    with tempfile.TemporaryDirectory() as scratch:
        cli_ms = {e.stem: offline.cli_wall_ms(e, Path(scratch)) for e in EXAMPLES}

    console = Console()
    table = Table(title=f"fan-out: 11 agents, seed profile × {args.unit:g} s, {args.repeats} repeats")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in fan.table():
        table.add_row(name, value)
    console.print(table)
    if fan_llm is not None:
        _print_llm(console, fan_llm)
    table = Table(
        title="offline assessment (every agent, phases 1–5, Markdown + JSON), knowledge loaded once"
    )
    for column in ("example", "runs", "median", "p95", "agent phase median", "CLI process median"):
        table.add_column(column, justify="right" if column != "example" else "left")
    for r in runs:
        table.add_row(
            r.example,
            str(r.repeats),
            f"{r.median_ms:.1f} ms",
            f"{r.p95_ms:.1f} ms",
            f"{r.agents_phase_median_ms:.2f} ms",
            f"{cli_ms[r.example]:.0f} ms",
        )
    console.print(table)

    table = Table(title="report rendering, median of 3 (PDFs of every report kind in worker processes)")
    for column in ("example", "HTML, all kinds", "PDF, all kinds", "PDF files"):
        table.add_column(column, justify="right" if column != "example" else "left")
    for rep in rendered:
        table.add_row(rep.example, f"{rep.html_ms:.0f} ms", f"{rep.pdf_ms:.0f} ms", str(rep.pdf_reports))
    console.print(table)

    table = Table(title=f"knowledge base load, fresh interpreter, median of {loading.repeats}")
    for column in ("priced records", "import", "load (first)", "load again, same process"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{loading.priced_records:,}",
        f"{loading.import_ms_median:.0f} ms",
        f"{loading.load_ms_median:.0f} ms",
        f"{loading.reload_ms_median:.0f} ms",
    )
    console.print(table)

    checks = {
        f"efficiency ≥ {TARGET_EFFICIENCY:.0%}": fan.efficiency >= TARGET_EFFICIENCY,
        f"overhead median ≤ {TARGET_OVERHEAD_MS:g} ms": fan.overhead_ms_median <= TARGET_OVERHEAD_MS,
        f"offline median < {TARGET_OFFLINE_MS:g} ms": all(r.median_ms < TARGET_OFFLINE_MS for r in runs),
        f"PDF of all reports < {TARGET_PDF_MS:g} ms": all(r.pdf_ms < TARGET_PDF_MS for r in rendered),
        f"knowledge base load < {TARGET_CATALOG_MS:g} ms": loading.load_ms_median < TARGET_CATALOG_MS,
    }
    if fan_llm is not None:
        checks[f"LLM fan-out efficiency ≥ {TARGET_LLM_EFFICIENCY:.0%}"] = (
            fan_llm.efficiency >= TARGET_LLM_EFFICIENCY
        )
        checks[f"LLM fault runs at {fan_llm.faults.rate:.0%}: quorum met in every run"] = (
            fan_llm.every_run_met_quorum
        )
    api_figures = None if args.skip_api else _measure_api(args, knowledge)
    if api_figures is not None:
        _print_api(console, api_figures)
        checks.update(_api_checks(api_figures))
    scale = None if args.skip_scaleout else _measure_scaleout(console, args, knowledge)
    if scale is not None:
        _print_scaleout(console, scale)
        checks.update(_scaleout_checks(scale))
    peer = None if args.skip_peer else more.peer(console, args, ctx)
    rate = None if args.skip_throughput else more.offline_throughput(console, args, EXAMPLES)
    growth = None if args.skip_growth else more.cost_growth(console, args, EXAMPLES, knowledge)
    for name, ok in checks.items():
        console.print(f"{'PASS' if ok else 'MISS'}  {name}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                **_when_and_where(args.code),
                "fan_out": fanout.as_json(fan),
                "fan_out_llm": fanout_llm.as_json(fan_llm) if fan_llm is not None else None,
                "offline": [r.__dict__ for r in runs],
                "cli_process_median_ms": cli_ms,
                "reports": [r.__dict__ for r in rendered],
                "catalog": loading.__dict__,
                "api": api.as_json(api_figures) if api_figures is not None else None,
                "scale_out": scaleout.as_json(scale) if scale is not None else None,
                "peer_langgraph": peer,
                "throughput": rate,
                "growth": growth,
                "checks": checks,
            },
            indent=2,
        )
        + "\n"
    )
    console.print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 1 if args.check and not all(checks.values()) else 0


def _when_and_where(code: dict[str, Any]) -> dict[str, Any]:
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code,
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        },
    }


def _code_version() -> dict[str, Any]:
    """The commit measured, and whether the work tree differed from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    return {
        "commit": git("rev-parse", "HEAD") or None,
        "modified": bool(git("status", "--porcelain", "-uno")),
    }


def _more_only(args: argparse.Namespace) -> int:
    console = Console()
    knowledge = Knowledge.load()
    figures: dict[str, Any] | list[Any]
    if args.only == "peer":
        ctx = build_context(load_input_file(EXAMPLES[0]), knowledge)
        key, figures = "peer_langgraph", more.peer(console, args, ctx)
    elif args.only == "throughput":
        key, figures = "throughput", more.offline_throughput(console, args, EXAMPLES)
    else:
        key, figures = "growth", more.cost_growth(console, args, EXAMPLES, knowledge)
    out = args.out.with_name(f"{args.out.stem}-{args.only}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**_when_and_where(args.code), key: figures}, indent=2) + "\n")
    console.print(f"wrote {out}")
    return 0


def _measure_llm(ctx: AssessmentContext, args: argparse.Namespace) -> fanout_llm.LlmFanOutFigures:
    # The fault run's retries and degradations are its subject; the table reports them, not the log.
    configure_logging("ERROR")
    try:
        return asyncio.run(
            fanout_llm.measure(
                ctx,
                unit_s=args.llm_unit,
                repeats=args.llm_repeats,
                fault_unit_s=args.unit,
                fault_runs=args.llm_fault_runs,
            )
        )
    finally:
        configure_logging("WARNING")


def _api_only(args: argparse.Namespace) -> int:
    console = Console()
    figures = _measure_api(args, Knowledge.load())
    _print_api(console, figures)
    checks = _api_checks(figures)
    for name, ok in checks.items():
        console.print(f"{'PASS' if ok else 'MISS'}  {name}")
    out = args.out.with_name(f"{args.out.stem}-api.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"api": api.as_json(figures), "checks": checks}, indent=2) + "\n")
    console.print(f"wrote {out}")
    return 1 if args.check and not all(checks.values()) else 0


def _measure_api(args: argparse.Namespace, knowledge: Knowledge) -> api.ApiFigures:
    # Lock-ups and degraded calls under load are reported in the tables; the log would drown them.
    configure_logging("CRITICAL")
    try:
        spec = yaml.safe_load(EXAMPLES[0].read_text())
        scale_out = None
        if scaleout.unavailable(api_scale_out.REDIS_DB) is None:

            def scale_out(
                spec: dict[str, Any], knowledge: Knowledge, pool: ProcessPoolExecutor
            ) -> Awaitable[api.SubmitFigures]:
                return api_scale_out.measure_submit_scale_out(
                    spec,
                    knowledge,
                    pool,
                    clients=args.api_clients,
                    rounds=2,
                    unit_s=0.1,
                    think_s=5.0,
                    steady_posts_per_client=6,
                )

        # The app is served inside this loop: uvloop, as `infra-mind serve` (uvicorn.run) serves it.
        return uvloop.run(
            api.measure(spec, knowledge, clients=args.api_clients, runs=args.api_runs, scale_out=scale_out)
        )
    finally:
        configure_logging("WARNING")


def _print_api(console: Console, figures: api.ApiFigures) -> None:
    for title, rows in api.table_rows(figures):
        table = Table(title=title)
        table.add_column("measure")
        table.add_column("value", justify="right")
        for name, value in rows:
            table.add_row(name, value)
        console.print(table)


def _api_checks(figures: api.ApiFigures) -> dict[str, bool]:
    checks = {
        f"analyze p99 < {api.TARGET_P99_MS:g} ms, {s.clients} clients, {s.database}": s.met
        for s in figures.submit
    }
    checks.update(
        {f"{r.runs:,} runs in flight all completed, {r.database}": r.met for r in figures.in_flight}
    )
    return checks


def _scaleout_only(args: argparse.Namespace) -> int:
    console = Console()
    figures = _measure_scaleout(console, args, Knowledge.load())
    if figures is None:
        return 1
    _print_scaleout(console, figures)
    checks = _scaleout_checks(figures)
    for name, ok in checks.items():
        console.print(f"{'PASS' if ok else 'MISS'}  {name}")
    out = args.out.with_name(f"{args.out.stem}-scaleout.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"scale_out": scaleout.as_json(figures), "checks": checks}, indent=2) + "\n")
    console.print(f"wrote {out}")
    return 1 if args.check and not all(checks.values()) else 0


def _measure_scaleout(
    console: Console, args: argparse.Namespace, knowledge: Knowledge
) -> scaleout.ScaleOutFigures | None:
    reason = scaleout.unavailable()
    if reason is not None:
        console.print(f"scale-out skipped: {reason}")
        return None
    spec = yaml.safe_load(EXAMPLES[0].read_text())
    return asyncio.run(scaleout.measure(spec, knowledge, runs=args.scaleout_runs, unit_s=args.scaleout_unit))


def _print_scaleout(console: Console, figures: scaleout.ScaleOutFigures) -> None:
    table = Table(
        title=f"scale-out: {figures.runs} runs through the API per worker count, Celery workers with "
        f"{figures.concurrency} run slots each, LLM mode (mock, seed profile × {figures.unit_s:g} s), "
        f"reports {' + '.join(scaleout.REPORT_FORMATS)}, PostgreSQL + Redis, {figures.cpus} CPUs"
    )
    for column in scaleout.TABLE_COLUMNS:
        table.add_column(column, justify="right")
    for row in scaleout.table_rows(figures):
        table.add_row(*row)
    console.print(table)


def _scaleout_checks(figures: scaleout.ScaleOutFigures) -> dict[str, bool]:
    most = figures.most_workers
    return {
        f"scale-out: {most} workers ≥ {scaleout.TARGET_SCALING:g}× the runs/min of 1, every run completed": (
            figures.met
        ),
        "scale-out load latency-bound: machine CPU < 80 % busy at every worker count": figures.latency_bound,
    }


def _print_llm(console: Console, figures: fanout_llm.LlmFanOutFigures) -> None:
    speed, faults = figures.speedup, figures.faults
    sections = (
        (
            f"LLM fan-out: 11 agents, one HTTP call each to the mock LLM server, seed profile × "
            f"{speed.unit_s:g} s, {speed.repeats} repeats, LLM_MAX_CONCURRENCY={speed.max_concurrency}",
            speed.table(),
        ),
        (
            f"LLM fan-out with faults: {len(faults.runs)} parallel runs, seed profile × {faults.unit_s:g} s, "
            f"timeout {faults.timeout_s:g} s per attempt, {faults.retries} retries",
            faults.table(),
        ),
    )
    for title, rows in sections:
        table = Table(title=title)
        table.add_column("measure")
        table.add_column("value", justify="right")
        for name, value in rows:
            table.add_row(name, value)
        console.print(table)


if __name__ == "__main__":
    raise SystemExit(main())
