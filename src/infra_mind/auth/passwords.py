"""Argon2 password hashes (pwdlib) and the password policy."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher

from infra_mind.errors import FieldError, InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 has no limit of its own; a cap keeps one login from costing seconds of hashing


class PasswordHasher:
    """Hashes with argon2id; `verify_and_update` also says when a stored hash uses outdated parameters."""

    def __init__(self, hasher: Argon2Hasher | None = None) -> None:
        self._argon2 = hasher or Argon2Hasher()
        self._hash = PasswordHash((self._argon2,))
        self._dummy_hash = self._hash.hash("timing equaliser for unknown accounts")

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, password_hash: str | None) -> bool:
        """`password_hash` None (no such account) still spends one verification, so timing tells nothing."""
        valid, _ = self.verify_and_update(password, password_hash)
        return valid

    def verify_and_update(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        """(valid, new hash to store or None): a new hash when the stored one's parameters are outdated."""
        if password_hash is None:
            self._hash.verify(password, self._dummy_hash)
            return False, None
        try:
            return self._hash.verify_and_update(password, password_hash)
        except UnknownHashError:
            return False, None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon2.check_needs_rehash(password_hash)


def check_password_policy(password: str, *, email: str, field: str = "password") -> None:
    """Raises InvalidInput naming `field` with every rule the password breaks."""
    problems = [FieldError(field, message) for message in _policy_problems(password, email)]
    if problems:
        raise InvalidInput(problems)


def _policy_problems(password: str, email: str) -> list[str]:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters long (got {len(password)})")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters long")
    if password and _character_classes(password) < 2:
        problems.append("must mix at least two of: lower case, upper case, digits, other characters")
    folded = password.strip().casefold()
    address = email.strip().casefold()
    if folded and folded in {address, address.partition("@")[0]}:
        problems.append("must not be the email address")
    return problems


def _character_classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
