"""`POST …/analyze` latency when the runs execute in a Celery worker, not in the API's process.

The embedded runner shares the API process's interpreter lock with the runs it executes (bench/api.py
measures that); here the API process only answers HTTP, and one worker process executes the runs on the
same machine, as `infra-mind serve` plus `infra-mind worker` do. Same clients, bursts and steady load.
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench import postgres, scaleout
from bench.api import SubmitFigures, _mock_llm, submit_rounds
from infra_mind.api.app import create_app
from infra_mind.config import Settings
from infra_mind.knowledge.catalog import Knowledge

REDIS_DB = 8
WORKER_SLOTS = 4


async def measure_submit_scale_out(
    spec: dict[str, Any],
    knowledge: Knowledge,
    pool: ProcessPoolExecutor,
    *,
    clients: int,
    rounds: int,
    unit_s: float,
    think_s: float,
    steady_posts_per_client: int,
) -> SubmitFigures:
    broker_url = f"{scaleout.REDIS_URL}/{REDIS_DB}"
    scaleout._flush(broker_url)
    with tempfile.TemporaryDirectory() as scratch, _mock_llm(unit_s) as llm_url:
        async with postgres.fresh_database() as database_url:
            values = scaleout._stack_values(database_url, broker_url, llm_url, Path(scratch), WORKER_SLOTS)
            settings = Settings(**values)
            async with scaleout._workers(1, values, settings, Path(scratch)):
                app = create_app(settings, knowledge=knowledge)
                measured = await submit_rounds(
                    app, spec, pool, clients, rounds, think_s, steady_posts_per_client
                )
    return SubmitFigures(
        "postgresql, scale-out: API process + 1 worker", clients, unit_s, WORKER_SLOTS, measured
    )
