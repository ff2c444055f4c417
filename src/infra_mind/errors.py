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


class DatabaseUnavailable(InfraMindError):
    """The database cannot be reached or opened (at start-up, or by a readiness check)."""

    status_code = 503
    code = "database_unavailable"


class BrokerUnavailable(InfraMindError):
    """The message broker did not take a run's task (the scale-out runner)."""

    status_code = 503
    code = "broker_unavailable"


class PriceSourceUnavailable(InfraMindError):
    """A public price source could not be fetched: unreachable, an HTTP error, or an unreadable answer."""

    status_code = 503
    code = "price_source_unavailable"


class AuthenticationFailed(InfraMindError):
    """Credentials, a token or an API key that do not prove who the caller is."""

    status_code = 401
    code = "authentication_failed"


class TokenExpired(AuthenticationFailed):
    code = "token_expired"


class RefreshTokenReused(AuthenticationFailed):
    """A rotated refresh token came back: it leaked, so the caller revokes the whole family."""

    code = "refresh_token_reused"

    def __init__(self, family_id: str) -> None:
        super().__init__("refresh token already used; every token of its family is revoked")
        self.family_id = family_id


class PermissionDenied(InfraMindError):
    status_code = 403
    code = "permission_denied"


class RateLimited(InfraMindError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Conflict(InfraMindError):
    """The request contradicts the stored state: a duplicate, a stale version, a refused status change."""

    status_code = 409
    code = "conflict"


class PreconditionFailed(Conflict):
    """An If-Match header names a version that is no longer the current one."""

    status_code = 412
    code = "precondition_failed"


class RunAlreadyActive(Conflict):
    code = "run_already_active"

    def __init__(self, assessment_id: str, run_id: str | None) -> None:
        super().__init__(f"assessment {assessment_id} already has a queued or running run")
        self.run_id = run_id


class NotFound(InfraMindError):
    """Absent, or owned by someone else: the API answers the same 404 for both."""

    status_code = 404
    code = "not_found"


class PayloadTooLarge(InfraMindError):
    status_code = 413
    code = "payload_too_large"


class SignInRequired(AuthenticationFailed):
    """A web page asked for without a valid session cookie: the browser is sent to the sign-in page."""

    code = "sign_in_required"


class CsrfRejected(PermissionDenied):
    """A state-changing web request without the session's CSRF token, or sent from another site."""

    code = "csrf_rejected"
