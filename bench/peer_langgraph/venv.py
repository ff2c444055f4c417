"""The peer's own venv (`.venv-bench-peer`), built from bench/peer-requirements.txt, so LangGraph and its
dependencies never enter the project's venv. `python -m bench.peer_langgraph.venv` builds or refreshes it
and prints its Python; the benchmark does the same on demand."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PEER_VENV = ROOT / ".venv-bench-peer"
REQUIREMENTS = ROOT / "bench" / "peer-requirements.txt"
STAMP = "peer-requirements.sha256"
"""Inside the venv: the hash of the requirements it was built from, so a changed pin rebuilds it."""
BUILD_TIMEOUT_S = 600.0


class PeerUnavailable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def python_of(venv: Path) -> Path:
    return venv / "bin" / "python"


def is_current(venv: Path = PEER_VENV, requirements: Path = REQUIREMENTS) -> bool:
    stamp = venv / STAMP
    return python_of(venv).exists() and stamp.exists() and stamp.read_text() == _digest(requirements)


def ensure(
    venv: Path = PEER_VENV, requirements: Path = REQUIREMENTS, *, base_python: str = sys.executable
) -> Path:
    """The venv's Python, building the venv first unless it matches `requirements`; PeerUnavailable says
    why it could not be built."""
    if is_current(venv, requirements):
        return python_of(venv)
    digest = _digest(requirements)
    _run([base_python, "-m", "venv", "--clear", str(venv)], "creating the venv")
    pip = [str(python_of(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run([*pip, "-r", str(requirements)], f"installing {requirements.name}")
    (venv / STAMP).write_text(digest)
    return python_of(venv)


def _digest(requirements: Path) -> str:
    try:
        return hashlib.sha256(requirements.read_bytes()).hexdigest()
    except OSError as exc:
        raise PeerUnavailable(f"cannot read {requirements}: {exc.strerror}") from exc


def _run(command: list[str], what: str) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    except FileNotFoundError as exc:
        raise PeerUnavailable(f"{what}: {exc.filename} not found") from exc
    except subprocess.TimeoutExpired as exc:
        raise PeerUnavailable(f"{what}: no end after {exc.timeout:g} s") from exc
    except subprocess.CalledProcessError as exc:
        said = (exc.stderr or exc.stdout or "").strip().splitlines()[-3:]
        raise PeerUnavailable(f"{what} failed (exit {exc.returncode}): {' / '.join(said)}") from exc


if __name__ == "__main__":
    try:
        print(ensure())
    except PeerUnavailable as exc:
        print(f"peer venv not built: {exc.reason}", file=sys.stderr)
        raise SystemExit(1) from exc
