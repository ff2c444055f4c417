"""The OpenAPI document, with the assessment input's own schema for the routes that take it.

Those routes read the body themselves, so every field error and every cross-section rule is reported in
one 422 (domain/input_rules.py); FastAPI would stop at the field errors.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from infra_mind.domain.requirements import AssessmentInput

INPUT_SCHEMA_NAME = "AssessmentInput"
REF_TEMPLATE = "#/components/schemas/{model}"

INPUT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "the assessment input (as `infra-mind assess` reads it), as JSON",
        "content": {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model=INPUT_SCHEMA_NAME)}}},
    }
}


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            _add_input_schema(schema.setdefault("components", {}).setdefault("schemas", {}))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_input_schema(components: dict[str, Any]) -> None:
    schema = AssessmentInput.model_json_schema(ref_template=REF_TEMPLATE)
    for name, definition in {**schema.pop("$defs", {}), INPUT_SCHEMA_NAME: schema}.items():
        if components.setdefault(name, definition) != definition:
            raise RuntimeError(f"two OpenAPI schemas are named {name}; rename one of the models")
