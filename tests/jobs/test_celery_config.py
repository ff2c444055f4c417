"""build_celery: the settings it refuses, and the delivery guarantees its configuration sets."""

from __future__ import annotations

from typing import Any

import pytest

from infra_mind.config import Settings
from infra_mind.errors import ConfigurationError
from infra_mind.jobs.celery_app import QUEUE, TASK_NAME, build_celery

SCALE_OUT = {
    "broker_url": "redis://127.0.0.1:6379/3",
    "visibility_timeout_s": 600,
    "run_soft_time_limit_s": 300,
    "run_time_limit_s": 360,
}


def settings(**overrides: Any) -> Settings:
    return Settings(**{**SCALE_OUT, **overrides})


@pytest.mark.parametrize(
    "url", ["amqp://guest:hunter2-secret@rabbit:5672//", "sqs://AKIA:hunter2-secret@", "memory://"]
)
def test_a_broker_other_than_redis_is_refused_without_echoing_its_url(url: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        build_celery(settings(broker_url=url))
    message = refused.value.message
    assert "INFRA_MIND_BROKER_URL must be a redis:// URL" in message
    assert f"got a {url.partition('://')[0]}:// URL" in message
    assert "hunter2" not in message
    assert "rabbit" not in message


def test_a_broker_url_without_a_scheme_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigurationError) as refused:
        build_celery(settings(broker_url="admin:hunter2-secret@cache:6379/0"))
    assert refused.value.message.endswith("got a URL without a scheme")
    assert "hunter2" not in refused.value.message


@pytest.mark.parametrize("url", ["redis://:pw@cache:6379/0", "rediss://cache.example.com:6380/1"])
def test_redis_and_tls_redis_brokers_are_accepted(url: str) -> None:
    assert build_celery(settings(broker_url=url)).conf.broker_url == url


@pytest.mark.parametrize("visibility_s", [360, 100])
def test_a_visibility_timeout_not_above_the_hard_limit_is_refused(visibility_s: int) -> None:
    with pytest.raises(ConfigurationError, match="INFRA_MIND_VISIBILITY_TIMEOUT_S must be above"):
        build_celery(settings(visibility_timeout_s=visibility_s))


@pytest.mark.parametrize("soft_s", [360, 400])
def test_a_soft_limit_not_below_the_hard_limit_is_refused(soft_s: float) -> None:
    with pytest.raises(ConfigurationError, match="INFRA_MIND_RUN_SOFT_TIME_LIMIT_S must be below"):
        build_celery(settings(run_soft_time_limit_s=soft_s))


def test_a_run_is_acknowledged_late_redelivered_on_worker_loss_and_never_hoarded() -> None:
    app = build_celery(settings())
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options == {"visibility_timeout": 600}
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert conf.task_default_queue == QUEUE
    assert conf.task_routes == {TASK_NAME: {"queue": QUEUE}}
    assert conf.accept_content == ["json"]


def test_each_call_builds_its_own_app() -> None:
    assert build_celery(settings()) is not build_celery(settings())
