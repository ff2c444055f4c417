from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel

from infra_mind.llm.cache import CachedReply, DiskCache, MemoryCache, cache_key
from infra_mind.llm.provider import LlmMessage, LlmRequest

BASE = LlmRequest(agent="cto", purpose="p", system="S", messages=(LlmMessage("user", "Q"),))
ENTRY = CachedReply(text="answer", model="gpt-4o-mini", tokens_in=3, tokens_out=4)


class Schema(BaseModel):
    narrative: str


def test_key_is_stable_and_depends_on_everything_that_decides_the_answer() -> None:
    key = cache_key("gpt-4o-mini@api.openai.com", BASE)
    variants = [
        cache_key("gpt-4o@api.openai.com", BASE),
        cache_key("gpt-4o-mini@localhost:8000", BASE),
        cache_key("gpt-4o-mini@api.openai.com", replace(BASE, system="S2")),
        cache_key("gpt-4o-mini@api.openai.com", replace(BASE, messages=(LlmMessage("user", "Q2"),))),
        cache_key("gpt-4o-mini@api.openai.com", replace(BASE, schema=Schema)),
        cache_key("gpt-4o-mini@api.openai.com", replace(BASE, temperature=0.7)),
        cache_key("gpt-4o-mini@api.openai.com", replace(BASE, max_tokens=100)),
    ]

    assert key == cache_key("gpt-4o-mini@api.openai.com", replace(BASE, agent="other", purpose="other"))
    assert len(key) == 64
    assert len({key, *variants}) == len(variants) + 1


def test_memory_cache_round_trip() -> None:
    cache = MemoryCache()
    cache.put("k", ENTRY)

    assert cache.get("k") == ENTRY
    assert cache.get("missing") is None


def test_disk_cache_round_trip_with_owner_only_permissions(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "llm")
    key = cache_key("scope", BASE)
    cache.put(key, ENTRY)

    path = cache.path(key)
    assert DiskCache(tmp_path / "llm").get(key) == ENTRY
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_corrupt_entry_is_ignored_then_overwritten(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    key = cache_key("scope", BASE)
    cache.path(key).parent.mkdir(parents=True)
    cache.path(key).write_text('{"text": "trunc')

    assert cache.get(key) is None
    cache.put(key, ENTRY)
    assert cache.get(key) == ENTRY


def test_entry_of_the_wrong_shape_is_ignored(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    cache.path("ab12").parent.mkdir(parents=True)
    cache.path("ab12").write_text('{"text": "x"}')

    assert cache.get("ab12") is None


def test_unwritable_directory_does_not_fail_the_call(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")

    DiskCache(blocker).put("ab12", ENTRY)

    assert DiskCache(blocker).get("ab12") is None
