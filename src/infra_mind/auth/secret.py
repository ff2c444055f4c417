"""The JWT signing secret: from settings, or generated once per embedded install and kept owner-only."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from pathlib import Path

import structlog
from pydantic import SecretStr

from infra_mind.config import RunnerKind, Settings
from infra_mind.errors import ConfigurationError

SECRET_FILE = "jwt-secret"
MIN_SECRET_CHARS = 32  # HS256 wants a key at least as long as its 256-bit output

log = structlog.get_logger()


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "infra-mind"


def signing_secret(settings: Settings) -> SecretStr:
    if settings.jwt_secret is not None:
        if len(settings.jwt_secret.get_secret_value()) < MIN_SECRET_CHARS:
            raise ConfigurationError(f"INFRA_MIND_JWT_SECRET must be at least {MIN_SECRET_CHARS} characters")
        return settings.jwt_secret
    if settings.runner is not RunnerKind.INPROCESS:
        # workers on other hosts would each generate their own secret and reject each other's tokens
        raise ConfigurationError("INFRA_MIND_JWT_SECRET must be set when INFRA_MIND_RUNNER is not inprocess")
    return load_or_create_secret((settings.data_dir or default_data_dir()) / SECRET_FILE)


def load_or_create_secret(path: Path) -> SecretStr:
    """Creates the file at most once, whole or not at all, even with several processes starting at once."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists() and _create(path):
        log.info("auth.secret.created", path=str(path))
    return _read(path)


def _create(path: Path) -> bool:
    """Writes a private temporary file (mkstemp: O_EXCL, 0600) and links it into place: the link fails if
    another process won the race, and readers never see a half-written file."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _read(path: Path) -> SecretStr:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise ConfigurationError(f"cannot read the JWT secret file {path}: {exc.strerror}") from exc
    with os.fdopen(fd) as handle:
        info = os.fstat(handle.fileno())
        _check_private(path, info)
        value = handle.read().strip()
    if len(value) < MIN_SECRET_CHARS:
        raise ConfigurationError(
            f"the JWT secret file {path} holds fewer than {MIN_SECRET_CHARS} characters; delete it to "
            "generate a new one (every issued token becomes invalid)"
        )
    return SecretStr(value)


def _check_private(path: Path, info: os.stat_result) -> None:
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise ConfigurationError(
            f"the JWT secret file {path} is readable by other users (mode {mode:04o}); "
            f"run `chmod 600 {path}` or delete it to generate a new secret"
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise ConfigurationError(f"the JWT secret file {path} belongs to another user (uid {info.st_uid})")
