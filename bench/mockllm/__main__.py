"""`python -m bench.mockllm --port 0 --profile FILE`: prints the bound URL on stdout's first line, then
serves until interrupted."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import structlog

from bench.mockllm.profiles import Profile, load_profile
from bench.mockllm.server import bind, serve
from infra_mind.errors import InfraMindError
from infra_mind.logs import configure_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mockllm", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--profile", type=Path, help="YAML or JSON profile (default: no latency, no faults)")
    parser.add_argument("--seed", type=int, help="overrides the profile's seed")
    parser.add_argument("--latency-scale", type=float, help="overrides the profile's latency_scale")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)

    configure_logging(args.log_level)
    try:
        profile = load_profile(args.profile) if args.profile else Profile()
        overrides = {"seed": args.seed, "latency_scale": args.latency_scale}
        profile = profile.changed(**{k: v for k, v in overrides.items() if v is not None})
    except InfraMindError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    sock = bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    print(f"http://{host}:{port}", flush=True)
    structlog.get_logger("bench.mockllm").info(
        "mockllm.serving", host=host, port=port, rules=len(profile.rules)
    )
    serve(profile, sock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
