"""Schemathesis against the API's own OpenAPI document: every operation with generated data, signed in.

Two passes: one with generated path ids (mostly 404s), one with the ids of a seeded assessment and its
completed run, so generated queries, headers and bodies reach real resources. SQLite only: the point is
the HTTP contract, which tests/api covers on PostgreSQL elsewhere.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import Case, GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.python import asgi

from infra_mind.api.app import create_app
from infra_mind.auth.passwords import PasswordHasher
from infra_mind.config import Settings
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.observability.metrics import Metrics

from ..store.conftest import sqlite_url
from .conftest import JWT_SECRET, PASSWORD, bearer

pytestmark = pytest.mark.slow

RUN_TIMEOUT_S = 30.0
# The first download of a PDF renders it, which takes seconds on a cold WeasyPrint.
REQUEST_TIMEOUT_S = 60.0
# The API enforces rules a JSON Schema cannot state: password strength, If-Match preconditions, the input's
# cross-section rules (api/openapi.py). Schema-valid requests that break them are rightly refused with 4xx.
EXCLUDED_CHECKS = [schemathesis.checks.positive_data_acceptance]
# The assessment input is parsed in pydantic's lax mode, shared with the CLI's YAML (domain/input_rules.py),
# so `0` is taken for `false` where the schema says boolean; making the domain model strict is its own change.
LAX_INPUT_OPERATIONS = {("POST", "/api/v1/assessments"), ("PUT", "/api/v1/assessments/{assessment_id}")}
FUZZ_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class Seed:
    token: str
    assessment_id: str
    run_id: str


@pytest.fixture(scope="module")
def fuzzed_app(
    tmp_path_factory: pytest.TempPathFactory, cheap_passwords: PasswordHasher, knowledge: Knowledge
) -> FastAPI:
    """One app per module, owning its temporary SQLite database: schemathesis starts its lifespan in its own
    event loop for each operation and ends it after, so examples share the seeded data."""
    data_dir = tmp_path_factory.mktemp("fuzz")
    app_settings = Settings(
        database_url=sqlite_url(data_dir / "fuzz.db"),
        jwt_secret=JWT_SECRET,
        data_dir=data_dir,
        login_rate_limit_per_ip="100000/minute",
        login_rate_limit_per_account="100000/minute",
        registration_rate_limit_per_ip="100000/minute",
        runner_poll_interval_s=0.05,
        report_formats=["md", "json", "csv"],
        embedded_runner="thread",
    )
    return create_app(app_settings, metrics=Metrics(), passwords=cheap_passwords, knowledge=knowledge)


@pytest.fixture(scope="module")
def seed(fuzzed_app: FastAPI, example_inputs: dict[str, dict[str, Any]]) -> Seed:
    """A user, the health-tech assessment and a completed run of it."""
    with asgi.get_client(fuzzed_app) as client:
        email = "fuzz@example.com"
        assert client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD}).ok
        login = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        token = login.json()["access_token"]
        healthtech = example_inputs["healthtech-hipaa"]
        created = client.post("/api/v1/assessments", json=healthtech, headers=bearer(token))
        assert created.status_code == 201, created.text
        assessment_id = created.json()["id"]
        started = client.post(f"/api/v1/assessments/{assessment_id}/analyze", headers=bearer(token))
        assert started.status_code == 202, started.text
        run_id = started.json()["id"]
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while (status := client.get(f"/api/v1/runs/{run_id}", headers=bearer(token)).json()["status"]) in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline, "the seeded run did not finish"
            time.sleep(0.05)
        assert status == "completed"
    return Seed(token=token, assessment_id=assessment_id, run_id=run_id)


def _openapi_document() -> dict[str, Any]:
    """The document depends on the routes only; this app never starts, so it never touches its database."""
    app = create_app(Settings(database_url="sqlite+aiosqlite://", jwt_secret=JWT_SECRET), migrate=False)
    return app.openapi()


schema = schemathesis.openapi.from_dict(_openapi_document())


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_honours_its_schema_with_generated_ids(
    case: Case, fuzzed_app: FastAPI, seed: Seed
) -> None:
    _call_and_validate(case, fuzzed_app, seed)


# Deleting the seeded assessment would turn every later operation of this pass into a 404.
@schema.exclude(method="DELETE", path="/api/v1/assessments/{assessment_id}").parametrize()
@FUZZ_SETTINGS
def test_every_operation_honours_its_schema_on_real_resources(
    case: Case, fuzzed_app: FastAPI, seed: Seed
) -> None:
    real_ids = {"assessment_id": seed.assessment_id, "run_id": seed.run_id}
    path = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    # A path made invalid on purpose stays invalid: the checks expect such a case to be rejected.
    if path is not None and path.mode is GenerationMode.POSITIVE:
        case.path_parameters.update({k: v for k, v in real_ids.items() if k in case.path_parameters})
    _call_and_validate(case, fuzzed_app, seed)


def _call_and_validate(case: Case, app: FastAPI, seed: Seed) -> None:
    excluded = list(EXCLUDED_CHECKS)
    if (case.method.upper(), case.path) in LAX_INPUT_OPERATIONS:
        excluded.append(schemathesis.checks.negative_data_rejection)
    case.call_and_validate(
        headers=bearer(seed.token), excluded_checks=excluded, app=app, timeout=REQUEST_TIMEOUT_S
    )
