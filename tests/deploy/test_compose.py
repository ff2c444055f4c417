from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from .conftest import DEPLOY

COMPOSE_SCHEMA = Path(__file__).parent / "data" / "compose-spec.json"


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    validator = jsonschema_rs.validator_for(json.loads(COMPOSE_SCHEMA.read_text()))
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []


def test_the_schema_rejects_an_unknown_service_key(compose: dict[str, Any]) -> None:
    validator = jsonschema_rs.validator_for(json.loads(COMPOSE_SCHEMA.read_text()))
    broken = {
        **compose,
        "services": {**compose["services"], "api": {**compose["services"]["api"], "replica": 2}},
    }
    assert not validator.is_valid(broken)


def test_the_stack_has_every_service(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {
        "proxy",
        "api",
        "worker",
        "postgres",
        "redis",
        "flower",
        "prometheus",
        "grafana",
    }


@pytest.mark.parametrize(("service", "replicas"), [("api", 2), ("worker", 3)])
def test_the_app_tiers_are_replicated(compose: dict[str, Any], service: str, replicas: int) -> None:
    assert compose["services"][service]["deploy"]["replicas"] == replicas


def test_app_containers_share_the_scale_out_settings(compose: dict[str, Any]) -> None:
    for name in ("api", "worker"):
        environment = compose["services"][name]["environment"]
        assert environment["INFRA_MIND_RUNNER"] == "celery"
        assert environment["INFRA_MIND_BROKER_URL"] == "redis://redis:6379/0"
        assert environment["INFRA_MIND_DATABASE_URL"].startswith("postgresql+asyncpg://infra:")
        # `:?` makes compose refuse to start until the operator sets the secret
        assert environment["INFRA_MIND_JWT_SECRET"].startswith("${INFRA_MIND_JWT_SECRET:?")


def test_workers_are_checked_and_given_time_to_wind_down(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    assert worker["command"] == ["worker"]
    assert worker["healthcheck"]["test"] == ["CMD", "infra-mind", "worker-healthcheck"]
    assert worker["stop_grace_period"]


def test_stateful_services_are_durable_and_checked(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["postgres"]["image"].startswith("postgres:16")
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert services["redis"]["image"].startswith("redis:7")
    assert "--appendonly" in services["redis"]["command"]
    assert "yes" in services["redis"]["command"]
    assert "ping" in services["redis"]["healthcheck"]["test"]
    for name in ("postgres", "redis", "prometheus", "grafana"):
        assert any(":/" in volume and not volume.startswith(".") for volume in services[name]["volumes"])


def test_no_secret_is_committed() -> None:
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            assert value == "", f"{name} has a value in .env.example"


def test_the_proxy_streams_server_sent_events() -> None:
    config = (DEPLOY / "nginx" / "nginx.conf").read_text()
    events = config[config.index("/events$") :]
    events = events[: events.index("}")]
    assert "proxy_buffering off;" in events
    assert "proxy_read_timeout 1h;" in events
    assert "proxy_http_version 1.1;" in config
    assert 'proxy_set_header Connection "";' in config
