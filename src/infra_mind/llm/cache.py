"""Content-addressed reply cache: identical prompts to the same model on the same server are answered
from it, at no cost. On disk by default; in memory for tests."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Protocol

import structlog
from pydantic import BaseModel, ConfigDict, ValidationError

from infra_mind.llm.provider import LlmRequest

log = structlog.get_logger(__name__)

KEY_VERSION = 1
"""Part of every key: bump it when what a cached entry means changes, and old entries stop matching."""


class CachedReply(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    model: str
    tokens_in: int
    tokens_out: int
    structured_mode: str | None = None


class LlmCache(Protocol):
    def get(self, key: str) -> CachedReply | None: ...

    def put(self, key: str, entry: CachedReply) -> None: ...


def cache_key(scope: str, request: LlmRequest) -> str:
    """sha256 over everything that decides the answer: model and server (`scope`), the prompt as it
    reaches the model (after safety), the schema and the sampling settings."""
    material = {
        "v": KEY_VERSION,
        "scope": scope,
        "system": request.system,
        "messages": [[m.role, m.content] for m in request.messages],
        "schema": request.schema.model_json_schema() if request.schema is not None else None,
        "schema_name": request.schema.__name__ if request.schema is not None else None,
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
    }
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "infra-mind" / "llm"


class MemoryCache:
    def __init__(self) -> None:
        self._entries: dict[str, CachedReply] = {}

    def get(self, key: str) -> CachedReply | None:
        return self._entries.get(key)

    def put(self, key: str, entry: CachedReply) -> None:
        self._entries[key] = entry

    def __len__(self) -> int:
        return len(self._entries)


class DiskCache:
    """One JSON file per key, written atomically (temp file + rename) and readable by the owner only."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedReply | None:
        path = self.path(key)
        try:
            return CachedReply.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValidationError, ValueError) as exc:
            log.warning("llm.cache.unreadable_entry", path=str(path), error=type(exc).__name__)
            return None

    def put(self, key: str, entry: CachedReply) -> None:
        path = self.path(key)
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                os.fchmod(handle, 0o600)
                with os.fdopen(handle, "wb") as stream:
                    stream.write(entry.model_dump_json().encode())
                    stream.flush()
                    os.fsync(stream.fileno())
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as exc:
            log.warning("llm.cache.write_failed", path=str(path), error=str(exc))
