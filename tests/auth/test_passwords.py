from __future__ import annotations

import pytest
from pwdlib.hashers.argon2 import Argon2Hasher

from infra_mind.auth.passwords import PasswordHasher, check_password_policy
from infra_mind.errors import InvalidInput

GOOD = "correct horse Battery"


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher()


def test_hash_is_argon2id_salted_and_verifies(hasher: PasswordHasher) -> None:
    first, second = hasher.hash(GOOD), hasher.hash(GOOD)
    assert first.startswith("$argon2id$")
    assert first != second
    assert hasher.verify(GOOD, first)
    assert not hasher.verify(GOOD + "!", first)


def test_unknown_account_and_corrupt_hash_do_not_verify(hasher: PasswordHasher) -> None:
    assert not hasher.verify(GOOD, None)
    assert not hasher.verify(GOOD, "not-a-hash")
    assert not hasher.verify(GOOD, "$argon2id$v=19$m=65536,t=3,p=4$broken")


def test_outdated_parameters_need_a_rehash(hasher: PasswordHasher) -> None:
    old = PasswordHasher(Argon2Hasher(time_cost=2, memory_cost=19_456, parallelism=1)).hash(GOOD)
    assert hasher.needs_rehash(old)
    valid, updated = hasher.verify_and_update(GOOD, old)
    assert valid
    assert updated is not None
    assert not hasher.needs_rehash(updated)
    assert hasher.verify_and_update(GOOD, updated) == (True, None)


def test_a_good_password_passes_the_policy() -> None:
    check_password_policy(GOOD, email="ana@example.com")


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Short1!", "at least 12 characters"),
        ("alllowercaseletters", "mix at least two"),
        ("123456789012345", "mix at least two"),
        ("Ana.Lopez@Example.com", "email address"),
        ("ana.lopez", "at least 12 characters"),
    ],
)
def test_policy_errors_name_the_field(password: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_password_policy(password, email="ana.lopez@example.com", field="new_password")
    assert [e.path for e in caught.value.errors] == ["new_password"] * len(caught.value.errors)
    assert any(fragment in e.message for e in caught.value.errors)
    assert caught.value.status_code == 422


def test_the_local_part_of_the_email_is_refused_too() -> None:
    with pytest.raises(InvalidInput, match="email address"):
        check_password_policy("Ana.Lopez.1234", email="ana.lopez.1234@example.com")


def test_every_broken_rule_is_listed() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_password_policy("aaaa", email="x@example.com")
    assert len(caught.value.errors) == 2
