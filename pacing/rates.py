"""Beta-binomial rates with forgetting, and a keyed version that shrinks each key to the whole."""

from __future__ import annotations

from collections.abc import Hashable


class BetaRate:
    """A proportion as a Beta(alpha, beta) posterior whose evidence fades with a half-life.

    ``prior_strength`` pseudo-observations at ``prior_mean`` start it; each update first decays
    both counts by ``2 ** (-1 / half_life)``, so the estimate tracks a drifting rate while the
    effective sample size never exceeds about ``1.44 * half_life``.
    """

    def __init__(
        self, prior_mean: float, prior_strength: float = 10.0, half_life: float = 2000.0
    ) -> None:
        if not 0.0 < prior_mean < 1.0:
            raise ValueError("prior_mean must be strictly between 0 and 1")
        self.alpha = prior_mean * prior_strength
        self.beta = (1.0 - prior_mean) * prior_strength
        self._decay = 2.0 ** (-1.0 / half_life)
        self.observations = 0

    def add(self, success: bool) -> None:
        """Update with one Bernoulli trial."""
        self.alpha = self.alpha * self._decay + (1.0 if success else 0.0)
        self.beta = self.beta * self._decay + (0.0 if success else 1.0)
        self.observations += 1

    @property
    def mean(self) -> float:
        """Posterior mean."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def variance(self) -> float:
        """Posterior variance."""
        total = self.alpha + self.beta
        return self.alpha * self.beta / (total * total * (total + 1.0))


class KeyedRate:
    """A rate per key (list and hour of day) shrunk toward the overall rate.

    A key's estimate is ``(successes + k * overall) / (trials + k)`` with its own decayed counts,
    so a key with little data reads as the overall rate and a well-sampled key as itself.
    """

    def __init__(
        self,
        prior_mean: float,
        prior_strength: float = 10.0,
        half_life: float = 2000.0,
        shrinkage: float = 50.0,
    ) -> None:
        self.overall = BetaRate(prior_mean, prior_strength, half_life)
        self._shrinkage = shrinkage
        self._decay = 2.0 ** (-1.0 / half_life)
        self._keys: dict[Hashable, list[float]] = {}

    def add(self, key: Hashable, success: bool) -> None:
        """Update the overall rate and the key's own counts with one trial."""
        self.overall.add(success)
        counts = self._keys.setdefault(key, [0.0, 0.0])
        counts[0] = counts[0] * self._decay + (1.0 if success else 0.0)
        counts[1] = counts[1] * self._decay + 1.0

    def mean(self, key: Hashable) -> float:
        """The key's shrunk estimate (the overall rate for an unseen key)."""
        successes, trials = self._keys.get(key, (0.0, 0.0))
        return (successes + self._shrinkage * self.overall.mean) / (trials + self._shrinkage)
