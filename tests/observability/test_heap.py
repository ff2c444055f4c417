import gc
from collections.abc import Iterator

import pytest

from infra_mind.observability.heap import freeze_startup_heap


@pytest.fixture
def unfrozen_afterwards() -> Iterator[None]:
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen_afterwards")
def test_what_the_process_keeps_is_left_out_of_collections_and_new_garbage_is_still_collected() -> None:
    kept = [[index] for index in range(1_000)]
    freeze_startup_heap()
    assert gc.get_freeze_count() >= len(kept)

    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1
