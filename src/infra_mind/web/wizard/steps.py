"""The wizard's steps, in order, and the input sections each one edits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from pydantic import BaseModel

from infra_mind.domain import requirements as r
from infra_mind.domain import workloads as w
from infra_mind.web.wizard.fields import FieldSpec, field_spec, model_fields

PartKind = Literal["model", "rows", "value"]


@dataclass(frozen=True)
class Part:
    """One input section on a step: a model (`company`), a list of rows (`goals`) or one value (`notes`)."""

    section: str
    legend: str
    kind: PartKind
    fields: tuple[FieldSpec, ...] = ()
    row_label: str = ""


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    parts: tuple[Part, ...]

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(part.section for part in self.parts)


WORKLOAD_MODELS: dict[str, type[w.WorkloadBase]] = {
    get_args(model.model_fields["type"].annotation)[0]: model for model in get_args(get_args(w.Workload)[0])
}
WORKLOAD_TYPE_LABELS = {
    "web_app": "Web application",
    "api": "API",
    "data_processing": "Data processing",
    "ml_training": "ML training",
    "ml_inference": "ML inference",
    "llm_application": "LLM application",
    "database": "Database",
    "analytics": "Analytics",
    "iot": "IoT",
    "batch": "Batch jobs",
}


def workload_fields(workload_type: str) -> tuple[FieldSpec, ...]:
    """Name first, then the load figures of the type, then what every workload has."""
    model = WORKLOAD_MODELS[workload_type]
    base = w.WorkloadBase.model_fields
    own = [field_spec(k, i) for k, i in model.model_fields.items() if k not in base and k != "type"]
    shared = [field_spec(k, i) for k, i in base.items() if k != "name"]
    return (field_spec("name", base["name"]), *own, *shared)


def _model(section: str, legend: str, model: type[BaseModel]) -> Part:
    return Part(section, legend, "model", model_fields(model))


STEPS: tuple[Step, ...] = (
    Step(
        "company",
        "Company & goals",
        (
            _model("company", "Company", r.Company),
            Part("goals", "Business goals", "rows", model_fields(r.BusinessGoal), row_label="Goal"),
            _model("growth", "Users and growth", r.GrowthProjection),
        ),
    ),
    Step(
        "infrastructure",
        "Current infrastructure",
        (
            _model("current_infrastructure", "Current infrastructure", r.CurrentInfrastructure),
            _model("team", "Team", r.Team),
        ),
    ),
    Step("workloads", "Workloads", (Part("workloads", "Workloads", "rows", row_label="Workload"),)),
    Step("ai-ml", "AI/ML", (_model("ai_ml", "AI and machine learning", r.AiMl),)),
    Step(
        "performance",
        "Performance & availability",
        (
            _model("performance", "Performance and availability", r.Performance),
            _model("providers", "Cloud providers and regions", r.ProviderPreferences),
        ),
    ),
    Step(
        "security",
        "Security & compliance",
        (
            _model("security", "Security", r.Security),
            _model("compliance", "Compliance", r.Compliance),
        ),
    ),
    Step(
        "budget",
        "Budget & timeline",
        (
            _model("budget", "Budget", r.Budget),
            _model("timeline", "Timeline", r.Timeline),
            Part("notes", "Notes", "value", (field_spec("notes", r.AssessmentInput.model_fields["notes"]),)),
        ),
    ),
    Step("review", "Review", ()),
)
FIRST_STEP = STEPS[0].slug
REVIEW = "review"
_BY_SLUG = {step.slug: step for step in STEPS}
_STEP_OF_SECTION = {section: step.slug for step in STEPS for section in step.sections}


def step_named(slug: str) -> Step | None:
    return _BY_SLUG.get(slug)


def next_step(step: Step) -> Step:
    index = STEPS.index(step)
    return STEPS[min(index + 1, len(STEPS) - 1)]


def previous_step(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None


def step_of_path(path: str) -> Step | None:
    """The step that edits the field a dotted path names (`workloads[0].name` → workloads)."""
    section = re.split(r"[.\[]", path, maxsplit=1)[0]
    slug = _STEP_OF_SECTION.get(section)
    return _BY_SLUG[slug] if slug else None
