"""RedisEventRelay on the machine's Redis: events cross between relays; bad input and a dead server are
survived without raising or blocking."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
import redis

from infra_mind.domain.events import Event, EventType
from infra_mind.jobs.relay import RedisEventRelay, channel_prefix

from ..conftest import skip_or_fail_in_ci
from .celery.conftest import REDIS_URL

UNREACHABLE = "redis://127.0.0.1:1"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """Pub/sub ignores the database index; each test uses its own run id, so tests do not hear each other."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        skip_or_fail_in_ci(f"Redis at {REDIS_URL} is unusable: {exc!r}")
    yield REDIS_URL
    client.close()


@pytest.fixture
async def relays() -> AsyncIterator[list[RedisEventRelay]]:
    """Relays a test creates; each is stopped when it ends."""
    made: list[RedisEventRelay] = []
    yield made
    for relay in made:
        await relay.stop()


def event(run_id: str, seq: int) -> Event:
    return Event(
        run_id=run_id,
        seq=seq,
        type=EventType.AGENT_PROGRESS,
        at=datetime.now(UTC),
        agent="security",
        data={"pct": 40.0, "message": "checking controls"},
    )


async def listener(url: str, relays: list[RedisEventRelay], received: list[Event]) -> RedisEventRelay:
    relay = RedisEventRelay(url)
    relays.append(relay)
    await relay.start(received.append)
    assert await relay.wait_listening(5)
    return relay


async def received_for(received: list[Event], run_id: str, count: int) -> list[Event]:
    deadline = time.monotonic() + 5
    while len(mine := [e for e in received if e.run_id == run_id]) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(mine)} of {count} events for {run_id} arrived within 5 s")
        await asyncio.sleep(0.02)
    return mine


async def test_an_event_sent_by_one_relay_reaches_another_relays_listener(
    redis_url: str, relays: list[RedisEventRelay]
) -> None:
    received: list[Event] = []
    await listener(redis_url, relays, received)
    sender = RedisEventRelay(redis_url)
    relays.append(sender)
    await sender.start()
    run_id = str(uuid.uuid4())
    sent = [event(run_id, 1), event(run_id, 2)]

    for each in sent:
        sender.send(each)

    assert await received_for(received, run_id, 2) == sent


async def test_a_malformed_message_is_ignored_and_listening_goes_on(
    redis_url: str, relays: list[RedisEventRelay]
) -> None:
    received: list[Event] = []
    await listener(redis_url, relays, received)
    run_id = str(uuid.uuid4())
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        await client.publish(channel_prefix(redis_url) + run_id, b"{not json")
        await client.publish(channel_prefix(redis_url) + run_id, f'{{"run_id": "{run_id}"}}')
        await client.publish(channel_prefix(redis_url) + run_id, event(run_id, 7).model_dump_json())
    finally:
        await client.aclose()

    assert [e.seq for e in await received_for(received, run_id, 1)] == [7]


async def test_ping_answers_whether_redis_is_reachable_without_raising(
    redis_url: str, relays: list[RedisEventRelay]
) -> None:
    reachable, unreachable = RedisEventRelay(redis_url), RedisEventRelay(UNREACHABLE)
    relays += [reachable, unreachable]

    assert await reachable.ping() is True
    assert await unreachable.ping() is False


async def test_send_neither_blocks_nor_raises_when_its_queue_is_full(
    redis_url: str, relays: list[RedisEventRelay]
) -> None:
    received: list[Event] = []
    await listener(redis_url, relays, received)
    sender = RedisEventRelay(redis_url, max_pending=2)
    relays.append(sender)
    run_id = str(uuid.uuid4())

    started = time.perf_counter()
    for seq in range(1, 6):
        sender.send(event(run_id, seq))
    assert time.perf_counter() - started < 0.1

    await sender.start()
    assert [e.seq for e in await received_for(received, run_id, 2)] == [1, 2]
    await asyncio.sleep(0.2)
    assert len([e for e in received if e.run_id == run_id]) == 2


async def test_sending_to_an_unreachable_redis_neither_raises_nor_stalls_stopping() -> None:
    relay = RedisEventRelay(UNREACHABLE)
    await relay.start()
    relay.send(event(str(uuid.uuid4()), 1))
    await asyncio.sleep(0.1)

    await asyncio.wait_for(relay.stop(), timeout=2)


def test_each_redis_database_has_its_own_channels() -> None:
    assert channel_prefix("redis://127.0.0.1:6379/3") != channel_prefix("redis://127.0.0.1:6379/4")
    assert channel_prefix("redis://cache:6379") == channel_prefix("redis://cache:6379/0")
