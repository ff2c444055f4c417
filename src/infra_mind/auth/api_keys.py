"""API keys for automation: `im_<prefix>_<secret>`, stored as prefix + SHA-256, with scopes.

SHA-256 rather than argon2: a key carries about 190 random bits, so no amount of hashing speed makes
guessing it from its hash feasible; a slow hash protects low-entropy passwords and would only add tens of
milliseconds to every authenticated request. The prefix is stored in clear to find the row in one lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from infra_mind.errors import AuthenticationFailed, FieldError, InvalidInput, PermissionDenied

KEY_MARK = "im"
PREFIX_CHARS = 8
SECRET_CHARS = 32
_ALPHABET = string.ascii_letters + string.digits


class Scope(StrEnum):
    ASSESSMENTS_READ = "assessments:read"
    ASSESSMENTS_WRITE = "assessments:write"
    RUNS_READ = "runs:read"
    RUNS_WRITE = "runs:write"
    REPORTS_READ = "reports:read"
    CHAT_WRITE = "chat:write"


@dataclass(frozen=True)
class IssuedApiKey:
    """`key` is shown to its owner once; the store keeps `prefix`, `key_hash` and `scopes`."""

    key: str
    prefix: str
    key_hash: str
    scopes: frozenset[Scope]


def generate_api_key(scopes: Iterable[Scope]) -> IssuedApiKey:
    granted = frozenset(scopes)
    if not granted:
        raise InvalidInput([FieldError("scopes", "an API key needs at least one scope")])
    prefix = _random_text(PREFIX_CHARS)
    key = f"{KEY_MARK}_{prefix}_{_random_text(SECRET_CHARS)}"
    return IssuedApiKey(key=key, prefix=prefix, key_hash=hash_api_key(key), scopes=granted)


def looks_like_api_key(credential: str) -> bool:
    """Tells an API key from a JWT in an `Authorization: Bearer` header."""
    return credential.startswith(f"{KEY_MARK}_")


def api_key_prefix(key: str) -> str:
    """The lookup prefix of a presented key; AuthenticationFailed when it is not shaped like one of ours."""
    mark, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    if mark != KEY_MARK or len(prefix) != PREFIX_CHARS or len(secret) != SECRET_CHARS:
        raise AuthenticationFailed("malformed API key")
    if not all(c in _ALPHABET for c in prefix + secret):
        raise AuthenticationFailed("malformed API key")
    return prefix


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def verify_api_key(key: str, key_hash: str) -> bool:
    return hmac.compare_digest(hash_api_key(key), key_hash)


def parse_scopes(values: Iterable[str], *, field: str = "scopes") -> frozenset[Scope]:
    known = {s.value for s in Scope}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InvalidInput(
            [
                FieldError(field, f"unknown scope {u!r}; choose from {', '.join(sorted(known))}")
                for u in unknown
            ]
        )
    return frozenset(Scope(v) for v in values)


def require_scopes(granted: Iterable[Scope], *needed: Scope) -> None:
    missing = sorted(set(needed) - set(granted))
    if missing:
        raise PermissionDenied(f"this API key lacks the scope(s) {', '.join(missing)}")


def _random_text(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
