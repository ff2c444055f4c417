"""Comparing providers fairly: on totals when every quote is complete, else on what all of them price."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from infra_mind.domain.pricing import BomLine, MissingPrice, ProviderQuote


@dataclass(frozen=True)
class Comparison:
    basis_usd: dict[str, float]
    """Each provider's monthly cost on the compared components."""
    like_for_like: bool
    """Every quote is complete, so the totals themselves are compared."""
    components: int
    """How many components enter the comparison."""
    excluded: list[str]
    """The components left out, each with the providers that lack a price for it."""

    def note(self) -> str:
        if len(self.basis_usd) < 2:
            return "only one provider is allowed by the constraints: there is nothing to compare"
        if self.like_for_like:
            return "every quote is complete: providers are compared on their totals"
        text = (
            f"providers are compared on the {self.components} components priced for every one of them "
            f"({', '.join(f'{p} ${usd:,.2f}' for p, usd in self.basis_usd.items())}/month)"
        )
        if self.excluded:
            text += "; left out: " + "; ".join(self.excluded)
        return text + "; every total excludes its unpriced items, so each is a lower bound"


def compare(quotes: Sequence[ProviderQuote]) -> Comparison:
    """The comparable cost of each quote: its total when all are complete, else the commonly priced part.

    Lines and missing prices carry a key naming the same component in every provider's quote; a component
    enters the comparison only when every quote prices it.
    """
    if all(q.complete for q in quotes):
        return Comparison({q.provider: q.monthly_usd for q in quotes}, True, _count(quotes), [])
    priced = [{line.key for line in q.lines} for q in quotes]
    common = set.intersection(*priced) if priced else set()
    basis = {
        q.provider: round(sum(line.monthly_usd for line in q.lines if line.key in common), 2) for q in quotes
    }
    names: dict[str, str] = {}
    for q in quotes:
        items: list[BomLine | MissingPrice] = [*q.lines, *q.missing]
        for item in items:
            names.setdefault(item.key, item.component + (f" ({item.workload})" if item.workload else ""))
    excluded = []
    for key in sorted(set(names) - common):
        lacking = [q.provider for q, keys in zip(quotes, priced, strict=True) if key not in keys]
        where = (
            "priced by no provider" if len(lacking) == len(quotes) else f"no price on {', '.join(lacking)}"
        )
        excluded.append(f"{names[key]}: {where}")
    return Comparison(basis, False, len(common), excluded)


def _count(quotes: Sequence[ProviderQuote]) -> int:
    return max((len({line.key for line in q.lines}) for q in quotes), default=0)
