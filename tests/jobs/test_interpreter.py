import sys
from collections.abc import Iterator

import pytest

from infra_mind.jobs.interpreter import REQUESTS_FIRST_SWITCH_INTERVAL_S, favour_requests_over_runs


@pytest.fixture
def restored_switch_interval() -> Iterator[None]:
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("restored_switch_interval")
def test_a_thread_back_from_io_waits_at_most_half_a_millisecond_for_the_interpreter() -> None:
    favour_requests_over_runs()
    assert sys.getswitchinterval() == pytest.approx(REQUESTS_FIRST_SWITCH_INTERVAL_S)
    assert REQUESTS_FIRST_SWITCH_INTERVAL_S < 0.005
