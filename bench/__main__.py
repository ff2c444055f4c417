"""`python -m bench`: fan-out efficiency (simulated I/O, and real HTTP LLM calls to the mock server), offline
assessment latency, report rendering and knowledge-base load time, printed and saved as JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import catalog, fanout, fanout_llm, offline, reports
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
    args = parser.parse_args()

    configure_logging("WARNING")
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
    for name, ok in checks.items():
        console.print(f"{'PASS' if ok else 'MISS'}  {name}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "python": sys.version.split()[0],
                    "platform": platform.platform(),
                    "cpus": os.cpu_count(),
                },
                "fan_out": fanout.as_json(fan),
                "fan_out_llm": fanout_llm.as_json(fan_llm) if fan_llm is not None else None,
                "offline": [r.__dict__ for r in runs],
                "cli_process_median_ms": cli_ms,
                "reports": [r.__dict__ for r in rendered],
                "catalog": loading.__dict__,
                "checks": checks,
            },
            indent=2,
        )
        + "\n"
    )
    console.print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 1 if args.check and not all(checks.values()) else 0


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
