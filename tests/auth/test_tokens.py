from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import SecretStr

from infra_mind.auth.tokens import (
    ALGORITHM,
    ISSUER,
    RefreshCheck,
    StoredRefreshToken,
    TokenService,
    check_refresh,
    hash_refresh_token,
)
from infra_mind.config import load_settings
from infra_mind.errors import AuthenticationFailed, RefreshTokenReused, TokenExpired

SECRET = SecretStr("s" * 64)
START = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def service(clock: FixedClock) -> TokenService:
    return TokenService(SECRET, access_ttl=timedelta(minutes=15), refresh_ttl=timedelta(days=14), clock=clock)


def stored(issued_hash: str, family: str, expires_at: datetime, **state: datetime) -> StoredRefreshToken:
    return StoredRefreshToken(
        token_hash=issued_hash, family_id=family, subject="user-1", expires_at=expires_at, **state
    )


def test_access_token_carries_the_claims(service: TokenService) -> None:
    access = service.issue_access("user-1")
    claims = jwt.decode(access.token, options={"verify_signature": False})
    assert set(claims) == {"sub", "exp", "iat", "jti", "type", "iss"}
    assert claims["sub"] == "user-1"
    assert claims["type"] == "access"
    assert claims["exp"] - claims["iat"] == 15 * 60
    verified = service.verify_access(access.token)
    assert (verified.subject, verified.jti, verified.expires_at) == ("user-1", access.jti, access.expires_at)


def test_each_access_token_has_its_own_jti(service: TokenService) -> None:
    assert service.issue_access("u").jti != service.issue_access("u").jti


def test_access_token_expires_by_the_injected_clock(service: TokenService, clock: FixedClock) -> None:
    access = service.issue_access("user-1")
    clock.now = START + timedelta(minutes=14, seconds=59)
    service.verify_access(access.token)
    clock.now = START + timedelta(minutes=15)
    with pytest.raises(TokenExpired) as caught:
        service.verify_access(access.token)
    assert caught.value.status_code == 401


def test_a_token_verified_once_is_still_checked_against_this_service_and_refusals_repeat(
    service: TokenService, clock: FixedClock
) -> None:
    token = service.issue_access("user-1").token
    assert service.verify_access(token).subject == "user-1"
    other = TokenService(
        SecretStr("o" * 64), access_ttl=timedelta(minutes=15), refresh_ttl=timedelta(days=14), clock=clock
    )
    for _ in range(2):
        with pytest.raises(AuthenticationFailed, match="Signature verification failed"):
            other.verify_access(token)
    assert service.verify_access(token).subject == "user-1"


def test_tampered_token_is_refused(service: TokenService) -> None:
    token = service.issue_access("user-1").token
    header, _, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False}) | {"sub": "admin"}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(AuthenticationFailed, match="Signature verification failed"):
        service.verify_access(f"{header}.{payload}.{signature}")


def test_token_signed_with_another_secret_or_algorithm_is_refused(service: TokenService) -> None:
    claims = {"sub": "u", "iat": 0, "exp": 2**40, "jti": "j", "type": "access", "iss": ISSUER}
    with pytest.raises(AuthenticationFailed):
        service.verify_access(jwt.encode(claims, "o" * 64, algorithm=ALGORITHM))
    with pytest.raises(AuthenticationFailed):
        service.verify_access(jwt.encode(claims, None, algorithm="none"))
    with pytest.raises(AuthenticationFailed):
        service.verify_access("not.a.jwt")


def test_wrong_type_and_missing_claims_are_refused(service: TokenService) -> None:
    now = int(START.timestamp())
    claims = {"sub": "u", "iat": now, "exp": now + 60, "jti": "j", "type": "refresh", "iss": ISSUER}
    with pytest.raises(AuthenticationFailed, match="expected an access token"):
        service.verify_access(jwt.encode(claims, SECRET.get_secret_value(), algorithm=ALGORITHM))
    del claims["jti"]
    claims["type"] = "access"
    with pytest.raises(AuthenticationFailed, match="jti"):
        service.verify_access(jwt.encode(claims, SECRET.get_secret_value(), algorithm=ALGORITHM))


def test_refresh_token_is_opaque_and_only_its_hash_is_kept(service: TokenService) -> None:
    issued = service.issue_refresh()
    assert issued.token.count(".") == 0
    assert len(issued.token) >= 43
    assert issued.token_hash == hash_refresh_token(issued.token) != issued.token
    assert issued.expires_at == START + timedelta(days=14)
    assert service.issue_refresh().family_id != issued.family_id


def test_rotation_keeps_the_family_and_reuse_revokes_it(service: TokenService, clock: FixedClock) -> None:
    first = service.issue_refresh()
    record = stored(first.token_hash, first.family_id, first.expires_at)
    second = service.rotate_refresh(record)
    assert second.family_id == first.family_id
    assert second.token != first.token
    clock.now = START + timedelta(minutes=5)
    rotated = stored(first.token_hash, first.family_id, first.expires_at, rotated_at=START)
    assert check_refresh(rotated, clock.now) is RefreshCheck.REUSED
    with pytest.raises(RefreshTokenReused) as caught:
        service.rotate_refresh(rotated)
    assert caught.value.family_id == first.family_id
    assert caught.value.status_code == 401
    revoked = stored(second.token_hash, second.family_id, second.expires_at, family_revoked_at=clock.now)
    assert check_refresh(revoked, clock.now) is RefreshCheck.REVOKED
    with pytest.raises(AuthenticationFailed, match="revoked"):
        service.rotate_refresh(revoked)


def test_expired_and_unknown_refresh_tokens_are_refused(service: TokenService, clock: FixedClock) -> None:
    issued = service.issue_refresh()
    clock.now = issued.expires_at
    with pytest.raises(TokenExpired):
        service.rotate_refresh(stored(issued.token_hash, issued.family_id, issued.expires_at))
    with pytest.raises(AuthenticationFailed, match="unknown"):
        service.rotate_refresh(None)


def test_service_from_settings_uses_the_ttls(clock: FixedClock) -> None:
    settings = load_settings(access_token_ttl_s=60, refresh_token_ttl_s=3600)
    service = TokenService.from_settings(settings, SECRET, clock=clock)
    assert service.issue_access("u").expires_at == START + timedelta(seconds=60)
    assert service.issue_refresh().expires_at == START + timedelta(hours=1)
