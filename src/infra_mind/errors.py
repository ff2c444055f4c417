"""One error hierarchy. Each error carries the HTTP status it maps to and a stable code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(input)'}: {self.message}"


class InfraMindError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(InfraMindError):
    status_code = 422
    code = "invalid_input"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(f"{len(errors)} invalid field(s): " + "; ".join(str(e) for e in errors))
        self.errors = errors


class InputUnreadable(InfraMindError):
    status_code = 400
    code = "input_unreadable"


class CatalogInvalid(InfraMindError):
    code = "catalog_invalid"


class ConfigurationError(InfraMindError):
    code = "configuration_error"


class NotOffered(InfraMindError):
    """A SKU or service asked for in a region where the catalog says it is not sold (or not at all)."""

    status_code = 422
    code = "not_offered"


class PriceSourceUnavailable(InfraMindError):
    """A public price source could not be fetched: unreachable, an HTTP error, or an unreadable answer."""

    status_code = 503
    code = "price_source_unavailable"
