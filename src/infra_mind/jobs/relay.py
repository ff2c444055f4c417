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
from redis.asyncio import Redis
from redis.exceptions import RedisError

from infra_mind.domain.events import Event

log = structlog.get_logger(__name__)

CHANNEL_PREFIX = "infra-mind:{db}:run-events:"
MAX_PENDING = 10_000
RECONNECT_MAX_S = 5.0


class RedisEventRelay:
    def __init__(self, url: str, *, max_pending: int = MAX_PENDING) -> None:
        self._client: Redis = Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
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
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self._client.aclose()

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
