"""tests/api/test_schema_fuzz.py runs Schemathesis over the API's whole OpenAPI document, unfiltered (its
real-resources pass leaves out only the DELETE of the seeded assessment). What is left to prove is that
the document holds every API operation the app serves, so that no route escapes the fuzzing."""

from __future__ import annotations

import pytest
from schemathesis.core.result import Ok

from infra_mind.api.app import create_app
from infra_mind.config import Settings

from ..api.conftest import JWT_SECRET
from ..api.test_schema_fuzz import schema
from .routes import endpoints

pytestmark = pytest.mark.security


def test_the_schema_fuzz_reaches_every_api_operation() -> None:
    app = create_app(Settings(database_url="sqlite+aiosqlite://", jwt_secret=JWT_SECRET), migrate=False)
    served = {(e.method, e.path) for e in endpoints(app) if e.is_api}
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    fuzzed = {(op.method.upper(), op.path) for op in operations}
    assert len(operations) == len(list(schema.get_all_operations())), "the document has invalid operations"
    assert served, "no API route found"
    assert served <= fuzzed, f"not fuzzed: {sorted(served - fuzzed)}"
