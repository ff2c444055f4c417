"""cto: 3-year TCO, ROI against the goals, build/buy, a risk register and a phased roadmap."""

from infra_mind.agents.cto.agent import CtoAgent

__all__ = ["CtoAgent"]
