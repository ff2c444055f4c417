"""No Docker daemon here: the Dockerfile is checked as text."""

from __future__ import annotations

import re

from .conftest import DEPLOY

DOCKERFILE = (DEPLOY / "Dockerfile").read_text()
COMPILERS = ("build-essential", "gcc", "g++", "clang", "make", "python3-dev", "libpq-dev")
RUNTIME_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core")


def _stages() -> list[str]:
    return re.split(r"(?m)^FROM ", DOCKERFILE)[1:]


def _instructions(stage: str, keyword: str) -> list[str]:
    joined = stage.replace("\\\n", " ")
    return [line[len(keyword) :].strip() for line in joined.splitlines() if line.startswith(keyword + " ")]


def test_it_builds_in_one_stage_and_runs_in_another() -> None:
    stages = _stages()
    assert len(stages) >= 2
    assert stages[0].startswith("python:3.11-slim AS builder")
    assert stages[-1].startswith("python:3.11-slim")
    assert "-c constraints.txt" in stages[0]
    assert "COPY --from=builder" in stages[-1]


def test_the_final_stage_runs_as_a_user_that_is_not_root() -> None:
    users = _instructions(_stages()[-1], "USER")
    assert users
    assert users[-1] not in {"root", "0", "0:0"}


def test_the_final_stage_installs_pango_and_no_compiler() -> None:
    installs = " ".join(_instructions(_stages()[-1], "RUN"))
    for package in RUNTIME_PACKAGES:
        assert package in installs
    installed_words = set(installs.split())
    assert installed_words.isdisjoint(COMPILERS)


def test_the_image_checks_its_health_and_serves_by_default() -> None:
    final = _stages()[-1]
    assert "/health" in _instructions(final, "HEALTHCHECK")[0]
    assert _instructions(final, "ENTRYPOINT") == ['["infra-mind"]']
    assert _instructions(final, "CMD") == ['["serve", "--host", "0.0.0.0"]']


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = set((DEPLOY.parent / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".env", "tests"} <= ignored
