"""Which catalogued AI use cases fit the company: its industry, its goals, its models and its plans."""

from __future__ import annotations

from infra_mind.domain.outputs.ai_consultant import UseCaseFit
from infra_mind.domain.requirements import AssessmentInput, BusinessGoal, Priority
from infra_mind.knowledge.ai_use_cases import UseCase

RULE = (
    "a use case for the company's industry scores 3, a cross-industry one 1; +2 when it is in the category "
    "of a critical or high-priority business goal (+1 when those goals are medium or low priority); +1 when "
    "it uses a model family already in ai_ml.model_types; +2 when ai_ml.use_cases already names it"
)
_URGENT = (Priority.CRITICAL, Priority.HIGH)


def fits(use_cases: list[UseCase], spec: AssessmentInput) -> list[UseCaseFit]:
    """The use cases in the catalog for the company's industry, best fit first."""
    scored = [_fit(u, spec) for u in use_cases]
    return sorted(scored, key=lambda f: (-f.score, f.id))


def _fit(u: UseCase, spec: AssessmentInput) -> UseCaseFit:
    industry = spec.company.industry.value
    score = 1 if u.cross_industry else 3
    reasons = ["applies to every industry" if u.cross_industry else f"a {industry} use case"]
    served = [g for g in spec.goals if g.category in u.goals]
    if served:
        score += 2 if any(g.priority in _URGENT for g in served) else 1
        reasons.append("in the category of " + "; ".join(_goal(g) for g in served))
    families = sorted(f.value for f in set(u.families) & set(spec.ai_ml.model_types))
    if families:
        score += 1
        reasons.append(f"uses model types already in use or planned ({', '.join(families)})")
    planned = [name for name in spec.ai_ml.use_cases if any(k in name.lower() for k in u.keywords)]
    if planned:
        score += 2
        reasons.append(f"already on the AI plan as {', '.join(repr(p) for p in planned)}")
    held = set(spec.security.data_types)
    return UseCaseFit(
        id=u.id,
        title=u.title,
        industry_specific=not u.cross_industry,
        value=u.value,
        evidence=u.evidence,
        data_needed=list(u.data_needed),
        model_type=u.model_type,
        score=score,
        reasons=reasons,
        already_planned=bool(planned),
        sensitive_data=[t.value for t in u.data_types if t in held],
        source=u.source,
        as_of=u.as_of,
    )


def _goal(g: BusinessGoal) -> str:
    return f"the {g.priority.value}-priority {g.category.value} goal '{g.description}'"
