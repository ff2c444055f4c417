"""AI readiness 0–100 from the company's data, team and AI maturity, by a stated scoring rule."""

from __future__ import annotations

from infra_mind.domain.enums import DataType
from infra_mind.domain.outputs.ai_consultant import Readiness, ReadinessBand, ReadinessComponent
from infra_mind.domain.requirements import AiMaturity, AssessmentInput, DataClassification

RULE = (
    "Infra Mind AI readiness model v1, an engineering rule of thumb (not a published index). "
    "Data, 35 points: data held across the workloads (1 TB or more 20, 100 GB 15, 10 GB 10, any 5, none 0) "
    "plus ease of use by classification (public 15, internal 12, confidential 8, restricted 4; 3 less with "
    "regulated data types: health, payment card, biometric, children's or government data). "
    "Team, 40 points: ML engineers (none 0, one 10, two to four 15, five or more 20), data engineers "
    "(none 0, one 5, two or more 10), cloud expertise 1–5 mapped to 0–10. "
    "Maturity, 25 points: none 0, exploring 6, piloting 12, production 19, scaled 25. "
    "Bands: under 30 early, 30–59 developing, 60–79 ready, 80 and above advanced."
)

_DATA_HELD_GB = ((1000, 20), (100, 15), (10, 10))
_EASE = {
    DataClassification.PUBLIC: 15,
    DataClassification.INTERNAL: 12,
    DataClassification.CONFIDENTIAL: 8,
    DataClassification.RESTRICTED: 4,
}
REGULATED = frozenset(
    {DataType.HEALTH, DataType.PAYMENT_CARD, DataType.BIOMETRIC, DataType.CHILDREN, DataType.GOVERNMENT}
)
_REGULATED_PENALTY = 3
_MATURITY = {
    AiMaturity.NONE: 0,
    AiMaturity.EXPLORING: 6,
    AiMaturity.PILOTING: 12,
    AiMaturity.PRODUCTION: 19,
    AiMaturity.SCALED: 25,
}
_BANDS: tuple[tuple[int, ReadinessBand], ...] = ((80, "advanced"), (60, "ready"), (30, "developing"))


def readiness(spec: AssessmentInput) -> Readiness:
    components = [_data(spec), _team(spec), _maturity(spec)]
    score = round(sum(c.points for c in components))
    band: ReadinessBand = next((name for floor, name in _BANDS if score >= floor), "early")
    return Readiness(score=score, band=band, rule=RULE, components=components, gaps=_gaps(spec))


def _data(spec: AssessmentInput) -> ReadinessComponent:
    held = sum(w.data_size_gb for w in spec.workloads)
    volume = next((pts for floor, pts in _DATA_HELD_GB if held >= floor), 5 if held > 0 else 0)
    security = spec.security
    regulated = sorted(t.value for t in REGULATED.intersection(security.data_types))
    ease = max(0, _EASE[security.data_classification] - (_REGULATED_PENALTY if regulated else 0))
    return ReadinessComponent(
        name="data",
        points=volume + ease,
        max_points=35,
        basis=[
            f"{held:,.0f} GB held across the workloads (workloads[].data_size_gb): {volume} of 20",
            f"classification {security.data_classification.value}"
            + (f" with regulated data ({', '.join(regulated)})" if regulated else "")
            + f": {ease} of 15",
        ],
    )


def _team(spec: AssessmentInput) -> ReadinessComponent:
    team = spec.team
    ml = 20 if team.ml_engineers >= 5 else 15 if team.ml_engineers >= 2 else 10 * team.ml_engineers
    data = 10 if team.data_engineers >= 2 else 5 * team.data_engineers
    cloud = (team.cloud_expertise - 1) / 4 * 10
    return ReadinessComponent(
        name="team",
        points=round(ml + data + cloud, 1),
        max_points=40,
        basis=[
            f"{team.ml_engineers} ML engineer(s): {ml} of 20",
            f"{team.data_engineers} data engineer(s): {data} of 10",
            f"cloud expertise {team.cloud_expertise}/5: {cloud:g} of 10",
        ],
    )


def _maturity(spec: AssessmentInput) -> ReadinessComponent:
    maturity = spec.ai_ml.maturity
    return ReadinessComponent(
        name="maturity",
        points=_MATURITY[maturity],
        max_points=25,
        basis=[f"ai_ml.maturity {maturity.value}: {_MATURITY[maturity]} of 25"],
    )


def _gaps(spec: AssessmentInput) -> list[str]:
    team, security = spec.team, spec.security
    gaps = []
    if not team.ml_engineers:
        gaps.append("no ML engineer: models would be built and run by people without ML experience")
    if not team.data_engineers:
        gaps.append("no data engineer: no one owns the pipelines that prepare training and retrieval data")
    if not any(w.data_size_gb for w in spec.workloads):
        gaps.append("no data volume is stated for any workload: data availability is unknown")
    regulated = sorted(t.value for t in REGULATED.intersection(security.data_types))
    if regulated or security.data_classification is DataClassification.RESTRICTED:
        gaps.append(
            "regulated or restricted data ("
            + ", ".join(regulated or [security.data_classification.value])
            + "): de-identify it and agree its permitted AI uses before it reaches a model"
        )
    if spec.ai_ml.maturity in (AiMaturity.NONE, AiMaturity.EXPLORING):
        gaps.append(f"AI maturity {spec.ai_ml.maturity.value}: no model has yet run in production")
    return gaps
