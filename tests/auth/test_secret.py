from __future__ import annotations

import multiprocessing
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import SecretStr

from infra_mind.auth.secret import SECRET_FILE, load_or_create_secret, signing_secret
from infra_mind.config import load_settings
from infra_mind.errors import ConfigurationError


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _secret_in_child(path: str, queue: multiprocessing.Queue[str]) -> None:
    queue.put(load_or_create_secret(Path(path)).get_secret_value())


def test_generated_once_owner_only_and_reused(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    first = signing_secret(settings)
    path = tmp_path / "data" / SECRET_FILE
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700
    assert len(first.get_secret_value()) >= 64
    assert signing_secret(settings) == first
    assert [p.name for p in path.parent.iterdir()] == [SECRET_FILE]


def test_threads_starting_together_agree_on_one_secret(tmp_path: Path) -> None:
    path = tmp_path / SECRET_FILE
    with ThreadPoolExecutor(max_workers=16) as pool:
        secrets = set(pool.map(lambda _: load_or_create_secret(path).get_secret_value(), range(64)))
    assert len(secrets) == 1
    assert [p.name for p in tmp_path.iterdir()] == [SECRET_FILE]
    assert mode_of(path) == 0o600


def test_processes_starting_together_agree_on_one_secret(tmp_path: Path) -> None:
    path = tmp_path / SECRET_FILE
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[str] = context.Queue()
    children = [context.Process(target=_secret_in_child, args=(str(path), queue)) for _ in range(4)]
    for child in children:
        child.start()
    values = {queue.get(timeout=30) for _ in children}
    for child in children:
        child.join(timeout=30)
    assert len(values) == 1
    assert values == {load_or_create_secret(path).get_secret_value()}


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_an_existing_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / SECRET_FILE
    load_or_create_secret(path)
    path.chmod(mode)
    with pytest.raises(ConfigurationError, match=f"readable by other users \\(mode 0{mode:o}\\).*chmod 600"):
        load_or_create_secret(path)


def test_a_symlink_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    load_or_create_secret(target)
    (tmp_path / SECRET_FILE).symlink_to(target)
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_or_create_secret(tmp_path / SECRET_FILE)


def test_a_truncated_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / SECRET_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, b"short")
    os.close(fd)
    with pytest.raises(ConfigurationError, match="fewer than 32 characters"):
        load_or_create_secret(path)


def test_a_configured_secret_wins_and_must_be_long_enough(tmp_path: Path) -> None:
    configured = SecretStr("k" * 48)
    assert signing_secret(load_settings(jwt_secret=configured, data_dir=tmp_path)) == configured
    assert not any(tmp_path.iterdir())
    with pytest.raises(ConfigurationError, match="INFRA_MIND_JWT_SECRET must be at least 32"):
        signing_secret(load_settings(jwt_secret="short", data_dir=tmp_path))


def test_scaled_out_deployments_must_configure_the_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="INFRA_MIND_JWT_SECRET must be set"):
        signing_secret(load_settings(runner="celery", data_dir=tmp_path))
