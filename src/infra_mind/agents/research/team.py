"""Team ratios against the norm: engineers per DevOps/SRE engineer, data engineers per ML engineer."""

from __future__ import annotations

from infra_mind.agents.evidence import input_evidence
from infra_mind.agents.research.compare import Compared, Segment, band_standing, comparison, norm_evidence
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Evidence
from infra_mind.domain.outputs.research import Standing, UncomparedMetric
from infra_mind.domain.requirements import Team
from infra_mind.knowledge.benchmarks import Benchmark, BenchmarkCatalog, Metric

DEVOPS = Metric.ENGINEERS_PER_DEVOPS
DATA = Metric.DATA_ENGINEERS_PER_ML_ENGINEER


def compare_team(
    ctx: AssessmentContext, catalog: BenchmarkCatalog
) -> tuple[list[Compared], list[UncomparedMetric]]:
    team = ctx.requirements.team
    segment = Segment.of(ctx.requirements)
    compared: list[Compared] = []
    gaps: list[UncomparedMetric] = []
    for metric, build in ((DEVOPS, _devops), (DATA, _data)):
        norm = segment.norm(catalog, metric)
        if norm is None or norm.low is None or norm.high is None:
            gaps.append(
                UncomparedMetric(
                    metric=metric.value,
                    basis="current",
                    reason=f"no {metric.value.replace('_', ' ')} norm covers a {segment.words()}",
                )
            )
            continue
        result = build(team, norm, norm.low, norm.high)
        if isinstance(result, Compared):
            compared.append(result)
        else:
            gaps.append(result)
    return compared, gaps


def _evidence(norm: Benchmark, *fields: tuple[str, int]) -> list[Evidence]:
    return [*(input_evidence(f"team.{name}", value) for name, value in fields), norm_evidence(norm)]


def _compared(
    norm: Benchmark,
    metric: str,
    label: str,
    ratio: float | None,
    company: str,
    standing: Standing,
    words: str,
    evidence: list[Evidence],
) -> Compared:
    """A team ratio against its norm, outlying when it falls outside the band."""
    return Compared(
        comparison(
            norm,
            metric=metric,
            area="team",
            basis="current",
            label=label,
            value=ratio,
            unit=norm.unit,
            company=company,
            standing=standing,
            outlier=standing != "within",
            detail=f"{company}: {words}; the norm is {norm.norm_text()} for {norm.segment}",
        ),
        evidence,
    )


def _devops(team: Team, norm: Benchmark, low: float, high: float) -> Compared | UncomparedMetric:
    devops = team.devops_engineers
    others = team.size - devops
    ratio: float | None
    if devops:
        ratio = others / devops
        standing: Standing = band_standing(ratio, low, high)
        company = f"{ratio:.1f} engineers per DevOps/SRE engineer ({others} others ÷ {devops} DevOps/SRE)"
    else:
        ratio = None
        standing = "above" if others > high else "within"
        company = f"no dedicated DevOps/SRE engineer among {team.size} engineers"
    words = {
        "below": "more DevOps/SRE capacity than the norm (fewer engineers per DevOps/SRE engineer)",
        "within": "within the norm"
        if devops
        else f"within the norm: a team of {team.size} can share operations duties",
        "above": "fewer DevOps/SRE engineers than the norm",
    }[standing]
    return _compared(
        norm,
        DEVOPS.value,
        "engineers per DevOps/SRE engineer",
        ratio,
        company,
        standing,
        words,
        _evidence(norm, ("size", team.size), ("devops_engineers", devops)),
    )


def _data(team: Team, norm: Benchmark, low: float, high: float) -> Compared | UncomparedMetric:
    ml = team.ml_engineers
    if ml == 0:
        return UncomparedMetric(
            metric=DATA.value,
            basis="current",
            reason="the team has no ML engineers (team.ml_engineers is 0), so there is no ratio to compare",
        )
    ratio = team.data_engineers / ml
    standing = band_standing(ratio, low, high)
    company = f"{ratio:.2f} data engineers per ML engineer ({team.data_engineers} ÷ {ml})"
    words = {
        "below": "fewer data engineers than the norm: ML engineers will spend their time on data plumbing",
        "within": "within the norm",
        "above": "more data engineers than the norm",
    }[standing]
    return _compared(
        norm,
        DATA.value,
        "data engineers per ML engineer",
        ratio,
        company,
        standing,
        words,
        _evidence(norm, ("data_engineers", team.data_engineers), ("ml_engineers", ml)),
    )
