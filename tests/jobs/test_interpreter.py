import sys
from collections.abc import Iterator

import pytest

from infra_mind.jobs.interpreter import IO_FIRST_SWITCH_INTERVAL_S, favour_io_over_compute


@pytest.fixture
def restored_switch_interval() -> Iterator[None]:
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("restored_switch_interval")
def test_a_thread_back_from_io_waits_at_most_half_a_millisecond_for_the_interpreter() -> None:
    favour_io_over_compute()
    assert sys.getswitchinterval() == pytest.approx(IO_FIRST_SWITCH_INTERVAL_S)
    assert IO_FIRST_SWITCH_INTERVAL_S < 0.005
