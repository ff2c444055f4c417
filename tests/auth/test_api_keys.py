from __future__ import annotations

import hashlib
import re

import pytest

from infra_mind.auth.api_keys import (
    Scope,
    api_key_prefix,
    generate_api_key,
    hash_api_key,
    looks_like_api_key,
    parse_scopes,
    require_scopes,
    verify_api_key,
)
from infra_mind.errors import AuthenticationFailed, InvalidInput, PermissionDenied


def test_key_shape_prefix_and_hash() -> None:
    issued = generate_api_key([Scope.ASSESSMENTS_READ])
    assert re.fullmatch(r"im_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}", issued.key)
    assert looks_like_api_key(issued.key)
    assert api_key_prefix(issued.key) == issued.prefix
    assert issued.key_hash == hashlib.sha256(issued.key.encode()).hexdigest() == hash_api_key(issued.key)
    assert issued.key not in issued.key_hash
    assert generate_api_key([Scope.RUNS_WRITE]).key != issued.key


def test_verify_accepts_only_the_exact_key() -> None:
    issued = generate_api_key([Scope.RUNS_WRITE])
    assert verify_api_key(issued.key, issued.key_hash)
    tampered = issued.key[:-1] + ("a" if issued.key[-1] != "a" else "b")
    assert not verify_api_key(tampered, issued.key_hash)


@pytest.mark.parametrize(
    "presented", ["", "im_", "im_abc_def", "xx_abcdefgh_" + "a" * 32, "im_abcdefgh_" + "a" * 31 + "!"]
)
def test_malformed_keys_are_refused(presented: str) -> None:
    with pytest.raises(AuthenticationFailed, match="malformed"):
        api_key_prefix(presented)


def test_a_jwt_is_not_taken_for_an_api_key() -> None:
    assert not looks_like_api_key("eyJhbGciOiJIUzI1NiJ9.e30.sig")


def test_scopes_are_checked() -> None:
    issued = generate_api_key(parse_scopes(["assessments:read", "runs:write"]))
    require_scopes(issued.scopes, Scope.ASSESSMENTS_READ)
    require_scopes(issued.scopes, Scope.ASSESSMENTS_READ, Scope.RUNS_WRITE)
    with pytest.raises(PermissionDenied, match="assessments:write") as caught:
        require_scopes(issued.scopes, Scope.ASSESSMENTS_WRITE, Scope.RUNS_WRITE)
    assert caught.value.status_code == 403


def test_unknown_and_missing_scopes_are_input_errors() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_scopes(["assessments:read", "admin:*"], field="body.scopes")
    assert [e.path for e in caught.value.errors] == ["body.scopes"]
    assert "admin:*" in caught.value.errors[0].message
    with pytest.raises(InvalidInput, match="at least one scope"):
        generate_api_key([])
