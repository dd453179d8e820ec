"""Oracle networks: parameter-free modules that return a target's exact prediction."""

from __future__ import annotations

from torch import Tensor, nn

from fmcore import BuildContext, ConfigError, ConfigIssue, GaussianPath, Target
from fmcore_oracles.posterior import Denoiser


class OracleNetwork(nn.Module):
    """``net(x, t) = target.regression_target(path, x̂₁, ε̂, x, t)`` with the exact posterior means.

    On a Gaussian path every target is linear in ``(z, ε)`` at fixed ``x_t``, so this is
    ``E[target | x_t = x]``, the minimiser of the target's regression loss: a velocity target gets
    the marginal ``u_t(x) = α̇ x̂₁ + σ̇ ε̂``, a noise target ``ε̂``, a data target ``x̂₁``, … It has no
    parameters (the distribution is held in buffers that follow ``.to()``), so it samples untrained.
    Where ``σ = 0`` a score target's ``−ε̂/σ`` is ``0/0``: the exact score is ``OracleField.score``.
    """

    def __init__(self, distribution: Denoiser, path: GaussianPath, target: Target):
        super().__init__()
        self.distribution = distribution
        self.path = path
        self.target = target

    def forward(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        if cond is not None:
            raise ValueError("an oracle network is unconditional; it takes no labels")
        post = self.distribution.posterior(self.path, x, t)
        return self.target.regression_target(self.path, post.data, post.noise, x, t)


def build_oracle(name: str, distribution: Denoiser, context: BuildContext) -> OracleNetwork:
    """The oracle network of ``distribution`` for the path, target and event shape in ``context``."""
    problem = None
    if not isinstance(context.path, GaussianPath):
        given = "none was given" if context.path is None else f"not {type(context.path).__name__}"
        problem = f"needs a Gaussian path x_t = α_t z + σ_t ε; {given}"
    elif context.target is None:
        problem = "needs the target it predicts; none was given"
    elif context.event_shape is not None and tuple(context.event_shape) != distribution.event_shape:
        problem = (f"holds data of event shape {list(distribution.event_shape)} but the data set "
                   f"has event shape {list(context.event_shape)}")
    if problem:
        raise ConfigError([ConfigIssue("$.network", f"network '{name}' {problem}")])
    return OracleNetwork(distribution, context.path, context.target)
