"""Phase 5: render the reports of one result. Rendering is pure; writing files is the caller's job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from infra_mind.domain.assessment import AssessmentResult, ReportRef
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Recommendation
from infra_mind.reports.view import ReportView

REPORT_KINDS = ("executive", "technical")
TEXT_FORMATS = ("md",)


@dataclass(frozen=True)
class RenderedReport:
    kind: str
    format: str
    content: str

    @property
    def filename(self) -> str:
        return f"{self.kind}.{self.format}"

    @property
    def ref(self) -> ReportRef:
        return ReportRef(kind=self.kind, format=self.format, path=self.filename)


def make_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("infra_mind.reports", "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["usd"] = _usd
    env.filters["cost"] = _cost
    env.filters["pct"] = lambda v: f"{v:.1f} %"
    env.filters["cell"] = lambda v: str(v).replace("|", "\\|").replace("\n", " ")
    return env


def render_reports(
    result: AssessmentResult, ctx: AssessmentContext, formats: tuple[str, ...], env: Environment
) -> list[RenderedReport]:
    view = ReportView.build(result, ctx)
    return [
        RenderedReport(kind, fmt, env.get_template(f"{kind}.{fmt}.j2").render(v=view))
        for fmt in formats
        if fmt in TEXT_FORMATS
        for kind in REPORT_KINDS
    ]


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
