"""Phase 5: render the reports of one result. Rendering is pure; writing files is the caller's job.

Every report kind comes as Markdown (md), a self-contained HTML page (html), a printed edition (pdf) and
the report's data (json); `csv` adds the recommendations as a backlog for issue trackers. The printed
edition is the same template rendered with `printed` set: it is a handout, so reference detail (the line
items of the providers not recommended, per-record freshness, the evidence of each recommendation) gives
way to a pointer to the full editions, and ranked tables carry their first PRINTED_ROWS rows. Markdown
and JSON never touch matplotlib or WeasyPrint, which are imported only when html or pdf is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from infra_mind.domain.assessment import AssessmentResult, ReportRef
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Recommendation
from infra_mind.reports.agent_sections import STRATEGIES
from infra_mind.reports.backlog import OWNER_RULE, backlog_csv
from infra_mind.reports.charts import Charts
from infra_mind.reports.data import report_json
from infra_mind.reports.html import TITLES, figure_marker, html_page, markdown_renderer
from infra_mind.reports.markdown_text import MarkdownSource, escape_expression, table_cell
from infra_mind.reports.pdf import render_pdfs
from infra_mind.reports.view import ReportView

REPORT_KINDS = ("executive", "technical", "cfo", "ciso", "engineering_lead")
FORMATS = ("md", "html", "pdf", "json", "csv")
BACKLOG_KIND = "backlog"
PRINTED_ROWS = 10


@dataclass(frozen=True)
class RenderedReport:
    kind: str
    format: str
    content: str | bytes

    @property
    def filename(self) -> str:
        return f"{self.kind}.{self.format}"

    @property
    def ref(self) -> ReportRef:
        return ReportRef(kind=self.kind, format=self.format, path=self.filename)

    @property
    def payload(self) -> bytes:
        """The file's bytes: UTF-8 for the text formats, the document itself for PDF."""
        return self.content if isinstance(self.content, bytes) else self.content.encode("utf-8")


def make_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("infra_mind.reports", "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        finalize=escape_expression,
    )
    env.filters["usd"] = _usd
    env.filters["cost"] = _cost
    env.filters["pct"] = lambda v: f"{v:.1f} %"
    env.filters["cell"] = table_cell
    env.filters["markdown"] = MarkdownSource
    env.globals["owner_rule"] = OWNER_RULE
    env.globals["figure"] = figure_marker
    env.globals["strategy_names"] = STRATEGIES
    env.globals["printed_rows"] = PRINTED_ROWS
    return env


def check_formats(formats: tuple[str, ...]) -> None:
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format(s): {', '.join(unknown)}; choose from {', '.join(FORMATS)}")


def render_reports(
    result: AssessmentResult, ctx: AssessmentContext, formats: tuple[str, ...], env: Environment
) -> list[RenderedReport]:
    check_formats(formats)
    view = ReportView.build(result, ctx)
    charts = Charts(view)
    pages = _html_pages(view, env, charts, printed=False) if "html" in formats else {}
    pdfs = render_pdfs(_html_pages(view, env, charts, printed=True)) if "pdf" in formats else {}
    reports = []
    for fmt in formats:
        if fmt == "csv":
            reports.append(RenderedReport(BACKLOG_KIND, "csv", backlog_csv(view.backlog)))
            continue
        for kind in REPORT_KINDS:
            reports.append(RenderedReport(kind, fmt, _render(kind, fmt, view, env, pages, pdfs)))
    return reports


def _render(
    kind: str, fmt: str, view: ReportView, env: Environment, pages: dict[str, str], pdfs: dict[str, bytes]
) -> str | bytes:
    if fmt == "md":
        return _markdown(kind, view, env, html=False)
    if fmt == "json":
        return report_json(kind, view)
    if fmt == "html":
        return pages[kind]
    return pdfs[kind]


def _html_pages(view: ReportView, env: Environment, charts: Charts, *, printed: bool) -> dict[str, str]:
    md = markdown_renderer()
    return {
        kind: html_page(
            env,
            kind,
            f"{view.company} — {TITLES[kind]}",
            _markdown(kind, view, env, html=True, printed=printed),
            charts,
            md,
        )
        for kind in REPORT_KINDS
    }


def _markdown(kind: str, view: ReportView, env: Environment, *, html: bool, printed: bool = False) -> str:
    """The report's Markdown; for an HTML page it also carries the chart markers."""
    return env.get_template(f"{kind}.md.j2").render(v=view, kind=kind, html=html, printed=printed)


def _usd(value: Any) -> str:
    if value is None:
        return "not priced"
    return f"${value:,.2f}"


def _cost(rec: Recommendation) -> str:
    """How a recommendation moves the monthly bill: part of the priced plan, or on top of it."""
    parts = []
    if rec.monthly_cost_in_plan is not None:
        parts.append(f"{_usd(rec.monthly_cost_in_plan)} in plan")
    if rec.monthly_cost_delta is not None:
        parts.append(f"+{_usd(rec.monthly_cost_delta)}")
    return ", ".join(parts) or "—"
