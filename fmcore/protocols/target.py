"""The target protocol: what a network predicts, and how each prediction converts to the others."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from torch import Tensor

from fmcore.gaussian import Coefficients
from fmcore.protocols.path import ProbabilityPath


@runtime_checkable
class Target(Protocol):
    """A network output parameterisation: velocity ``v``, score ``s``, noise ``ε̂`` or data ``x̂₁`` …

    Training regresses ``net(x_t, t) ≈ regression_target(path, z, noise, x_t, t)``. The ``to_*``
    methods turn a prediction ``pred`` at ``(x, t)`` into each of the four quantities; on a Gaussian
    path (``x = α x̂₁ + σ ε̂``) they are exact conversions (DESIGN.md §1), e.g.
    ``v = α̇ x̂₁ + σ̇ ε̂`` and ``s = −ε̂/σ``.
    """

    def unsupported(self, path: ProbabilityPath) -> str | None:
        """Why this target cannot be used on ``path``, or ``None`` when it can."""
        ...

    def sampling_range(self, path: ProbabilityPath) -> tuple[float, float]:
        """The times ``[t_start, t_end] ⊆ [t_min, t_max]`` on which the prediction converts to a
        finite velocity (an ε-prediction cannot where ``α = 0``)."""
        ...

    def regression_target(
        self, path: ProbabilityPath, z: Tensor, noise: Tensor, x_t: Tensor, t: Tensor,
        *, coefficients: Coefficients | None = None,
    ) -> Tensor:
        """The conditional quantity the network regresses onto at ``x_t = path.sample(z, t, noise)``.

        On a Gaussian path the objective passes ``coefficients = path.coefficients(t, z)``, the
        schedule it made ``x_t`` with, so that a step evaluates it once; ``None`` elsewhere.
        """
        ...

    def to_velocity(self, path: ProbabilityPath, pred: Tensor, x: Tensor, t: Tensor) -> Tensor:
        """The velocity ``u_t(x)`` the prediction stands for."""
        ...

    def to_score(self, path: ProbabilityPath, pred: Tensor, x: Tensor, t: Tensor) -> Tensor:
        """The score ``∇ log p_t(x)`` the prediction stands for."""
        ...

    def to_data(self, path: ProbabilityPath, pred: Tensor, x: Tensor, t: Tensor) -> Tensor:
        """The data estimate ``x̂₁ = E[z | x_t = x]`` the prediction stands for."""
        ...

    def to_noise(self, path: ProbabilityPath, pred: Tensor, x: Tensor, t: Tensor) -> Tensor:
        """The noise estimate ``ε̂ = E[ε | x_t = x]`` the prediction stands for."""
        ...
