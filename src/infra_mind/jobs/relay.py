"""Run events between processes over Redis pub/sub: a worker's events reach the API process that holds
the client's SSE connection.

Pub/sub keeps nothing, so a message can be lost (a reconnect, a slow listener). That is safe: events are
stored first, and a subscriber that sees a gap, or hears nothing for a poll interval, reads the database
(EventHub.subscribe).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
from urllib.parse import urlsplit

import structlog
from pydantic import ValidationError
from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

from infra_mind.domain.events import Event

log = structlog.get_logger(__name__)

CHANNEL_PREFIX = "infra-mind:{db}:run-events:"
MAX_PENDING = 10_000
RECONNECT_MAX_S = 5.0
STOP_TIMEOUT_S = 5.0
RETRIES = 2
CANCEL_AGAIN_S = 0.5


class RedisEventRelay:
    def __init__(self, url: str, *, max_pending: int = MAX_PENDING) -> None:
        # A restarted server leaves dead connections in the pool: a command retries on a fresh one.
        self._client: Redis = Redis.from_url(
            url,
            socket_connect_timeout=5,
            health_check_interval=30,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), RETRIES),
            retry_on_error=[redis_errors.ConnectionError, redis_errors.TimeoutError],
        )
        self._prefix = channel_prefix(url)
        self._pending: asyncio.Queue[Event] = asyncio.Queue(max_pending)
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()

    async def start(self, deliver: Callable[[Event], None] | None = None) -> None:
        """Publishes what `send` hands over; with `deliver`, also listens to every run's channel."""
        self._tasks.append(asyncio.create_task(self._publish(), name="relay.publisher"))
        if deliver is not None:
            self._tasks.append(asyncio.create_task(self._listen(deliver), name="relay.listener"))

    async def stop(self) -> None:
        """Bounded. A listener cancelled while redis-py reconnects to a restarted server can swallow the
        cancel and go on reading, so the cancel is repeated until the tasks end or STOP_TIMEOUT_S passes."""
        pending, self._tasks = set(self._tasks), []
        deadline = asyncio.get_running_loop().time() + STOP_TIMEOUT_S
        while pending and asyncio.get_running_loop().time() < deadline:
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=CANCEL_AGAIN_S)
        if pending:
            log.warning("relay.stop_abandoned", tasks=sorted(task.get_name() for task in pending))
        try:
            async with asyncio.timeout(max(0.0, deadline - asyncio.get_running_loop().time()) + 1.0):
                await self._client.aclose()
        except (TimeoutError, RedisError, OSError) as exc:
            log.warning("relay.close_failed", error=repr(exc))

    @property
    def listening(self) -> bool:
        return self._subscribed.is_set()

    async def wait_listening(self, timeout_s: float) -> bool:
        with suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self._subscribed.wait()
        return self.listening

    async def ping(self) -> bool:
        try:
            return bool(await self._client.ping())
        except (RedisError, OSError) as exc:
            log.warning("relay.ping_failed", error=str(exc))
            return False

    def send(self, event: Event) -> None:
        try:
            self._pending.put_nowait(event)
        except asyncio.QueueFull:
            log.warning("relay.dropped", run_id=event.run_id, seq=event.seq)

    async def _publish(self) -> None:
        while True:
            event = await self._pending.get()
            try:
                await self._client.publish(self._prefix + event.run_id, event.model_dump_json())
            except (RedisError, OSError) as exc:
                log.warning("relay.publish_failed", run_id=event.run_id, seq=event.seq, error=str(exc))

    async def _listen(self, deliver: Callable[[Event], None]) -> None:
        wait_s = 0.1
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.psubscribe(self._prefix + "*")
                    self._subscribed.set()
                    wait_s = 0.1
                    async for message in pubsub.listen():
                        if message.get("type") == "pmessage":
                            _deliver(message["data"], deliver)
            except (RedisError, OSError) as exc:
                self._subscribed.clear()
                log.warning("relay.listen_failed", error=str(exc), retry_in_s=wait_s)
                await asyncio.sleep(wait_s)
                wait_s = min(wait_s * 2, RECONNECT_MAX_S)


def channel_prefix(url: str) -> str:
    """Pub/sub channels span every database of a Redis server: the index keeps two stacks apart."""
    db = urlsplit(url).path.strip("/") or "0"
    return CHANNEL_PREFIX.format(db=db)


def _deliver(data: bytes | str, deliver: Callable[[Event], None]) -> None:
    try:
        event = Event.model_validate_json(data)
    except ValidationError as exc:
        log.warning("relay.unreadable", error=str(exc))
        return
    deliver(event)
