from __future__ import annotations

from infra_mind.api.runs_start import default_mode


def test_the_sequential_share_is_a_rollback_switch() -> None:
    assert {default_mode(0) for _ in range(200)} == {"parallel"}
    assert {default_mode(100) for _ in range(200)} == {"sequential"}
    share = sum(default_mode(25) == "sequential" for _ in range(4000)) / 4000
    assert 0.2 < share < 0.3
