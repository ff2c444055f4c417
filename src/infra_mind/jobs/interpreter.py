"""The interpreter of a process where one thread waits on I/O while another computes, and the priority
of a process that executes runs beside one that answers requests.

Threads share one interpreter lock. A thread that waited on I/O (a request's database round trip) gets
the lock back only when the thread holding it yields, by default after 5 ms: with the runner always
computing, a request that makes ten round trips waited that long ten times. At 0.5 ms the API's median
under load on PostgreSQL fell from 91 to 36 ms and its 99th percentile from 735 to 196 ms
(docs/PERFORMANCE.md); the runs pay a little in more frequent switches.
"""

from __future__ import annotations

import os
import sys

import structlog

log = structlog.get_logger(__name__)

IO_FIRST_SWITCH_INTERVAL_S = 0.0005


def favour_io_over_compute() -> None:
    """For `infra-mind serve` with the embedded runner on a thread (requests wait on I/O), and for the
    runner's own process (its database work waits on I/O beside the runs' computation); a process-wide
    setting, not for library code."""
    sys.setswitchinterval(IO_FIRST_SWITCH_INTERVAL_S)
    log.info("process.switch_interval_set", seconds=IO_FIRST_SWITCH_INTERVAL_S)


def yield_cpu_to_requests(niceness: int) -> None:
    """For a process that executes runs (the embedded runner's, `infra-mind worker`): raised niceness, so
    that on a machine it shares with the API, requests are answered before runs compute. Alone on its
    machine it loses nothing."""
    if niceness:
        os.nice(niceness)
        log.info("process.niceness_set", niceness=niceness)
