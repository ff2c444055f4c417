"""M/M/c queueing: Poisson arrivals at rate λ, c servers (instances) each serving at rate μ, first come first
served. Closed forms, all in seconds and requests per second.

Erlang B is the Poisson ratio pmf(c) / cdf(c) with a = λ/μ: 1/B = Σ_{k≤c} pmf(k)/pmf(c), summed in log space
over the terms within 12√a of the Poisson mean only (the rest are below e^-70 of the largest), so a fleet of
a million instances costs a few thousand terms instead of a million recursion steps.
"""

from __future__ import annotations

import math

import numpy as np

TAIL_SIGMAS = 12
BISECTION_STEPS = 80


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of `servers` with offered load `load` = λ/μ (Erlang B)."""
    if servers <= 0:
        return 1.0
    if load <= 0:
        return 0.0
    spread = TAIL_SIGMAS * math.sqrt(load) + 50
    if servers > load + spread:
        # every Poisson term that matters lies below `servers`: 1/B = 1/pmf(servers)
        return math.exp(-(load - servers * math.log(load) + math.lgamma(servers + 1)))
    lowest = max(0, math.floor(load - spread))
    steps = np.arange(servers - lowest, dtype=np.float64)
    logs = np.cumsum(np.log((servers - steps) / load))
    top = max(0.0, float(logs.max())) if logs.size else 0.0
    log_inverse = top + math.log(math.exp(-top) + float(np.exp(logs - top).sum()))
    return math.exp(-log_inverse)


def erlang_c(servers: int, load: float) -> float:
    """Probability that a request waits (Erlang C); 1 when the queue is unstable (load ≥ servers)."""
    if load >= servers:
        return 1.0
    blocking = erlang_b(servers, load)
    rho = load / servers
    return blocking / (1 - rho * (1 - blocking))


def mean_wait(servers: int, arrival: float, service: float) -> float:
    """Mean time in the queue before service starts: C / (cμ - λ)."""
    if arrival >= servers * service:
        return math.inf
    return erlang_c(servers, arrival / service) / (servers * service - arrival)


def response_tail(
    t: float, servers: int, arrival: float, service: float, p_wait: float | None = None
) -> float:
    """P(response time > t): the wait (0 with probability 1 - C, else exponential at cμ - λ) plus an
    exponential service time. `p_wait` is C when already known."""
    wait_rate = servers * service - arrival
    if p_wait is None:
        p_wait = erlang_c(servers, arrival / service)
    served = math.exp(-service * t)
    if math.isclose(wait_rate, service, rel_tol=1e-9):
        both = (1 + service * t) * served
    else:
        both = (wait_rate * served - service * math.exp(-wait_rate * t)) / (wait_rate - service)
    return (1 - p_wait) * served + p_wait * both


def response_quantile(servers: int, arrival: float, service: float, quantile: float = 0.95) -> float:
    """The response time that `quantile` of requests beat; infinite when the queue is unstable."""
    if arrival >= servers * service:
        return math.inf
    target = 1 - quantile
    p_wait = erlang_c(servers, arrival / service)
    high = 1 / service
    while response_tail(high, servers, arrival, service, p_wait) > target:
        high *= 2
    low = 0.0
    for _ in range(BISECTION_STEPS):
        mid = (low + high) / 2
        if response_tail(mid, servers, arrival, service, p_wait) > target:
            low = mid
        else:
            high = mid
    return high


def stable_minimum(arrival: float, service: float) -> int:
    """The fewest servers with utilisation below 1."""
    return max(1, math.floor(arrival / service) + 1)


def fewest_meeting(arrival: float, service: float, target_s: float, quantile: float = 0.95) -> int | None:
    """The fewest servers whose `quantile` response time is at most `target_s`; None when no count can
    (the service time alone is slower than the target)."""
    if -math.log(1 - quantile) / service >= target_s:
        return None
    low = stable_minimum(arrival, service)
    if response_quantile(low, arrival, service, quantile) <= target_s:
        return low
    high = low * 2
    while response_quantile(high, arrival, service, quantile) > target_s:
        low, high = high, high * 2
    while high - low > 1:
        mid = (low + high) // 2
        if response_quantile(mid, arrival, service, quantile) <= target_s:
            high = mid
        else:
            low = mid
    return high
