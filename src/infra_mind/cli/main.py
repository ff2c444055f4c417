"""The `infra-mind` command line."""

from __future__ import annotations

import asyncio
import signal
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from infra_mind.cli.admin import admin_app
from infra_mind.cli.ask import ask
from infra_mind.cli.catalog import catalog_app
from infra_mind.cli.output import write_outputs
from infra_mind.cli.progress import AgentProgress
from infra_mind.cli.serve import serve
from infra_mind.cli.settings import settings_or_exit
from infra_mind.cli.worker import worker, worker_healthcheck
from infra_mind.domain.assessment import RunStatus
from infra_mind.domain.input_rules import load_input_file
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.orchestrator import Cancellation, Mode
from infra_mind.engine.pipeline import Pipeline, RunOutcome
from infra_mind.engine.validation import build_context, region_index
from infra_mind.errors import InfraMindError, InputUnreadable, InvalidInput
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.reports.render import FORMATS

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INVALID = 2
EXIT_NO_QUORUM = 3
EXIT_CANCELLED = 130

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Infra Mind: grounded infrastructure plans."
)

InputArg = Annotated[Path, typer.Argument(help="assessment input, YAML or JSON", show_default=False)]


@app.command()
def assess(
    input_path: InputArg,
    mode: Annotated[
        Mode, typer.Option(help="run the agents concurrently or one after another")
    ] = Mode.PARALLEL,
    out: Annotated[Path, typer.Option(help="directory for assessment.json and the reports")] = Path("out"),
    formats: Annotated[
        str, typer.Option("--format", help="comma-separated report formats: md,html,pdf,json,csv")
    ] = "md,json",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress display")] = False,
) -> None:
    """Run an assessment and write DIR/assessment.json plus the reports."""
    console = Console(stderr=True)
    settings = settings_or_exit(console)
    chosen = _parse_formats(formats, console)
    try:
        knowledge = Knowledge.load(settings.knowledge_dir)
        spec = load_input_file(input_path, regions=region_index(knowledge))
        bus = InMemoryEventBus()
        pipeline = build_pipeline(settings, knowledge, bus, report_formats=chosen)
        run_id = uuid.uuid4().hex
        outcome = asyncio.run(_run(pipeline, spec, run_id, mode, bus, console, quiet))
    except (InvalidInput, InputUnreadable) as exc:
        _print_invalid(exc, console)
        raise typer.Exit(EXIT_INVALID) from exc
    except KeyboardInterrupt as exc:
        console.print("[yellow]cancelled[/yellow]")
        raise typer.Exit(EXIT_CANCELLED) from exc
    except InfraMindError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(EXIT_ERROR) from exc
    try:
        written = write_outputs(outcome, out, include_reports=True)
    except OSError as exc:
        console.print(f"[red]error:[/red] cannot write to {out}: {exc.strerror or exc}", soft_wrap=True)
        raise typer.Exit(EXIT_ERROR) from exc
    result = outcome.result
    metrics = result.execution_metrics
    console.print(
        f"[bold]{result.status.value}[/bold]: {metrics.completed_agents}/{metrics.total_agents} agents, "
        f"{len(result.recommendations)} recommendations, {metrics.total_time * 1000:.0f} ms "
        f"(agents {metrics.phase_times.get('agents', 0) * 1000:.0f} ms, speed-up {metrics.speedup_factor})"
    )
    for path in written:
        console.print(f"  wrote {path}")
    if result.status is RunStatus.CANCELLED:
        raise typer.Exit(EXIT_CANCELLED)
    if result.status is RunStatus.FAILED:
        console.print("[red]the quorum of agents was not met[/red]")
        raise typer.Exit(EXIT_NO_QUORUM)


@app.command()
def validate(input_path: InputArg) -> None:
    """Check an input and show what Phase 1 derives from it: constraints, frameworks, warnings."""
    console = Console()
    errors = Console(stderr=True)
    settings = settings_or_exit(errors)
    try:
        knowledge = Knowledge.load(settings.knowledge_dir)
        spec = load_input_file(input_path, regions=region_index(knowledge))
        ctx = build_context(spec, knowledge)
    except (InvalidInput, InputUnreadable) as exc:
        _print_invalid(exc, errors)
        raise typer.Exit(EXIT_INVALID) from exc
    except InfraMindError as exc:
        errors.print(Text.assemble(("error:", "red"), f" {exc.message}"))
        raise typer.Exit(EXIT_ERROR) from exc
    c = ctx.constraints
    console.print(f"[green]valid[/green]: {spec.company.name}, {len(spec.workloads)} workload(s)")
    p = ctx.profile
    console.print(
        f"  peak {p.peak_rps:g} req/s (average {p.average_rps:g}), {p.vcpu:g} vCPU, {p.storage_gb:g} GB, "
        f"{p.serving_gpu_count} serving GPU(s), {p.training_gpu_hours_per_month:g} training GPU-hours/month"
    )
    console.print(
        f"  zones {c.zones_required}, regions {c.regions_required}, budget ceiling "
        f"${c.budget_ceiling_usd_month:,.2f}/month"
    )
    for provider, regions in c.allowed_regions.items():
        console.print(f"  {provider.value}: {', '.join(regions)}")
    for framework in c.frameworks:
        console.print(f"  {framework.framework.value}: {'; '.join(framework.reasons)}")
    for warning in ctx.warnings:
        console.print(f"  [yellow]warning[/yellow] {warning.field}: {warning.message}")
    for default in ctx.defaults:
        console.print(
            f"  default {default.field} = {default.value} (not in the input; drives {default.drives})",
            markup=False,
            highlight=False,
        )


app.command()(ask)
app.add_typer(catalog_app(), name="catalog")
app.command()(serve)
app.command()(worker)
app.command("worker-healthcheck")(worker_healthcheck)
app.add_typer(admin_app(), name="admin")


async def _run(
    pipeline: Pipeline,
    spec: AssessmentInput,
    run_id: str,
    mode: Mode,
    bus: InMemoryEventBus,
    console: Console,
    quiet: bool,
) -> RunOutcome:
    cancellation = Cancellation()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, cancellation.cancel, "interrupted by the user")
    display = None if quiet else AgentProgress(console, pipeline.agent_names)
    follower = asyncio.create_task(display.follow(bus.subscribe(run_id))) if display else None
    try:
        return await pipeline.run(spec, run_id=run_id, mode=mode, cancellation=cancellation)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        await pipeline.aclose()
        if follower is not None:
            await asyncio.wait_for(follower, timeout=1.0) if not follower.done() else None


def _parse_formats(formats: str, console: Console) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        console.print(
            f"[red]invalid --format[/red]: {', '.join(unknown) or '(empty)'}; choose from "
            f"{', '.join(FORMATS)}"
        )
        raise typer.Exit(EXIT_INVALID)
    return chosen


def _print_invalid(exc: InvalidInput | InputUnreadable, console: Console) -> None:
    if isinstance(exc, InvalidInput):
        console.print(f"[red]invalid input[/red]: {len(exc.errors)} error(s)")
        for error in exc.errors:
            console.print(f"  {error.path}: {error.message}", markup=False, highlight=False)
    else:
        console.print(f"[red]unreadable input[/red]: {exc.message}", highlight=False)


def run() -> None:
    app()
