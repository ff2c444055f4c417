"""Access tokens (short-lived HS256 JWTs) and refresh tokens (opaque, stored hashed, rotated by family)."""

from __future__ import annotations

import functools
import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from pydantic import SecretStr

from infra_mind.config import Settings
from infra_mind.errors import AuthenticationFailed, RefreshTokenReused, TokenExpired

ALGORITHM = "HS256"
ISSUER = "infra-mind"
ACCESS_TYPE = "access"
REQUIRED_CLAIMS = ("sub", "exp", "iat", "jti", "type", "iss")
VERIFIED_TOKENS_KEPT = 4096

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AccessToken:
    token: str
    jti: str
    expires_at: datetime


@dataclass(frozen=True)
class AccessClaims:
    subject: str
    jti: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class IssuedRefreshToken:
    """`token` goes to the client once; the store keeps only `token_hash`, `family_id` and `expires_at`."""

    token: str
    token_hash: str
    family_id: str
    expires_at: datetime


@dataclass(frozen=True)
class StoredRefreshToken:
    """What the store knows about a presented refresh token (looked up by `hash_refresh_token`)."""

    token_hash: str
    family_id: str
    subject: str
    expires_at: datetime
    rotated_at: datetime | None = None
    family_revoked_at: datetime | None = None


class RefreshCheck(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    REUSED = "reused"


def hash_refresh_token(token: str) -> str:
    """SHA-256 is enough: the token is 256 random bits, so its hash cannot be reversed by guessing."""
    return hashlib.sha256(token.encode()).hexdigest()


def check_refresh(stored: StoredRefreshToken | None, now: datetime) -> RefreshCheck:
    """REUSED means the token was already exchanged: whoever holds the family must lose it all."""
    if stored is None:
        return RefreshCheck.UNKNOWN
    if stored.family_revoked_at is not None:
        return RefreshCheck.REVOKED
    if stored.rotated_at is not None:
        return RefreshCheck.REUSED
    if now >= stored.expires_at:
        return RefreshCheck.EXPIRED
    return RefreshCheck.VALID


class TokenService:
    def __init__(
        self,
        secret: SecretStr,
        *,
        access_ttl: timedelta,
        refresh_ttl: timedelta,
        clock: Clock = utc_now,
    ) -> None:
        self._secret = secret
        self._access_ttl = access_ttl
        self._refresh_ttl = refresh_ttl
        self._clock = clock
        # A client sends the same token with every request until it expires: its signature and claims
        # are checked once (exactly that string, this secret), its expiry every time.
        self._verified_access = functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)(self._access_claims)

    @classmethod
    def from_settings(cls, settings: Settings, secret: SecretStr, *, clock: Clock = utc_now) -> TokenService:
        """`secret` from `auth.secret.signing_secret(settings)`, resolved once by the app factory."""
        return cls(
            secret,
            access_ttl=timedelta(seconds=settings.access_token_ttl_s),
            refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_s),
            clock=clock,
        )

    def now(self) -> datetime:
        return self._clock()

    def issue_access(self, subject: str) -> AccessToken:
        issued = self._clock().replace(microsecond=0)
        expires = issued + self._access_ttl
        jti = uuid.uuid4().hex
        claims = {
            "sub": subject,
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": jti,
            "type": ACCESS_TYPE,
            "iss": ISSUER,
        }
        token = jwt.encode(claims, self._secret.get_secret_value(), algorithm=ALGORITHM)
        return AccessToken(token=token, jti=jti, expires_at=expires)

    def verify_access(self, token: str) -> AccessClaims:
        """Raises TokenExpired past `exp` (by the injected clock), AuthenticationFailed for anything else."""
        claims = self._verified_access(token)
        if self._clock() >= claims.expires_at:
            raise TokenExpired("access token expired; refresh it or log in again")
        return claims

    def _access_claims(self, token: str) -> AccessClaims:
        claims = self._decode(token)
        if claims["type"] != ACCESS_TYPE:
            raise AuthenticationFailed(f"expected an access token, got a {claims['type']!r} token")
        return AccessClaims(
            subject=str(claims["sub"]),
            jti=str(claims["jti"]),
            issued_at=_timestamp(claims, "iat"),
            expires_at=_timestamp(claims, "exp"),
        )

    def issue_refresh(self, family_id: str | None = None) -> IssuedRefreshToken:
        """A new family at login (family_id None); the same family when rotating."""
        token = secrets.token_urlsafe(32)
        return IssuedRefreshToken(
            token=token,
            token_hash=hash_refresh_token(token),
            family_id=family_id or uuid.uuid4().hex,
            expires_at=self._clock() + self._refresh_ttl,
        )

    def rotate_refresh(self, stored: StoredRefreshToken | None) -> IssuedRefreshToken:
        """The successor of a valid token. The caller marks `stored` rotated in the same transaction (only if
        it was not rotated yet); on RefreshTokenReused it revokes every token of `family_id`."""
        verdict = check_refresh(stored, self._clock())
        if verdict is RefreshCheck.REUSED and stored is not None:
            raise RefreshTokenReused(stored.family_id)
        if verdict is RefreshCheck.EXPIRED:
            raise TokenExpired("refresh token expired; log in again")
        if verdict is not RefreshCheck.VALID or stored is None:
            raise AuthenticationFailed(f"refresh token {verdict.value}; log in again")
        return self.issue_refresh(stored.family_id)

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret.get_secret_value(),
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                # expiry is checked against the injected clock, not PyJWT's wall clock
                options={"require": list(REQUIRED_CLAIMS), "verify_exp": False, "verify_iat": False},
            )
        except jwt.InvalidTokenError as exc:
            raise AuthenticationFailed(f"invalid token: {exc}") from exc
        return claims


def _timestamp(claims: dict[str, Any], name: str) -> datetime:
    value = claims[name]
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise AuthenticationFailed(f"invalid token: claim {name!r} is not a timestamp")
    return datetime.fromtimestamp(value, UTC)
