"""Run the mock: in a background thread for tests and benchmarks (`MockLlm`), or in the foreground for
`python -m bench.mockllm` (`serve`)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

import uvicorn

from bench.mockllm.app import MockState, create_app
from bench.mockllm.profiles import Profile, Rule
from bench.mockllm.stats import StatsSnapshot
from infra_mind.errors import ConfigurationError

STARTUP_TIMEOUT_S = 10.0
GRACEFUL_SHUTDOWN_S = 5


class _ExpectedTruncation(logging.Filter):
    """A truncated stream is an injected fault, not a server error worth a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


class _Server(uvicorn.Server):
    """Tells the app to end hangs and latency waits as soon as shutdown begins, so stopping never waits
    on an injected timeout."""

    def __init__(self, config: uvicorn.Config, state: MockState) -> None:
        super().__init__(config)
        self.state = state

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self.state.serving()
        await super().serve(sockets)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.state.stopping()
        await super().shutdown(sockets)


def bind(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP, and
    # without it every keep-alive response waits ~40 ms on Nagle + delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _uvicorn(state: MockState) -> _Server:
    uvicorn_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _ExpectedTruncation) for f in uvicorn_log.filters):
        uvicorn_log.addFilter(_ExpectedTruncation())
    config = uvicorn.Config(
        create_app(state),
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    return _Server(config, state)


def serve(profile: Profile, sock: socket.socket) -> None:
    """Blocks until interrupted (Ctrl-C / SIGTERM)."""
    _uvicorn(MockState(profile)).run(sockets=[sock])


class MockLlm:
    """An OpenAI-compatible mock on a free localhost port, served from a background thread.

    Use as a context manager (`with MockLlm(profile) as mock: ... mock.base_url ...`), or start()/stop().
    """

    def __init__(self, profile: Profile | None = None, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = MockState(profile or Profile())
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._port is None:
            raise ConfigurationError("mock LLM server not started")
        return f"http://{self.host}:{self._port}"

    @property
    def base_url(self) -> str:
        """What an OpenAI client takes as base_url."""
        return f"{self.url}/v1"

    @property
    def profile(self) -> Profile:
        return self.state.profile

    @profile.setter
    def profile(self, profile: Profile) -> None:
        self.state.configure(profile)

    def add_rule(self, rule: Rule) -> None:
        """Put `rule` first, ahead of the profile's rules."""
        self.profile = self.profile.changed(rules=[rule, *self.profile.rules])

    def stats(self) -> StatsSnapshot:
        return self.state.stats.snapshot()

    def reset(self) -> None:
        self.state.reset()

    def start(self) -> MockLlm:
        if self._thread is not None:
            raise ConfigurationError("mock LLM server already started")
        sock = bind(self.host, self._requested_port)
        self._port = sock.getsockname()[1]
        self._server = _uvicorn(self.state)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="mockllm", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ConfigurationError(f"mock LLM server did not start on {self.host}:{self._port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=GRACEFUL_SHUTDOWN_S + STARTUP_TIMEOUT_S)
        self._server = None
        self._thread = None

    def __enter__(self) -> MockLlm:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@contextmanager
def running_mock_llm(profile: Profile | None = None) -> Iterator[MockLlm]:
    """For a pytest fixture: `with running_mock_llm(profile) as mock: yield mock`."""
    with MockLlm(profile) as mock:
        yield mock
