"""The objective protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from torch import Tensor

from fmcore.data import Batch
from fmcore.protocols.path import ProbabilityPath
from fmcore.protocols.target import Target

if TYPE_CHECKING:
    from fmcore.field import Field


@runtime_checkable
class Objective(Protocol):
    """A training loss, a Monte-Carlo estimate over a batch. Conditional flow matching, for example:
    ``L = E_{t, z, ε} ‖net(x_t, t) − target(z, ε, x_t, t)‖²`` with ``x_t = path.sample(z, t, ε)``.

    It reaches the network, target and path through ``field`` (a :class:`fmcore.Field`) and draws its
    randomness (times, noise) from torch's global generator, which the trainer seeds and checkpoints.
    """

    def unsupported(self, path: ProbabilityPath, target: Target) -> str | None:
        """Why this objective cannot train ``target`` on ``path``, or ``None`` when it can."""
        ...

    def loss(self, field: Field, batch: Batch) -> Tensor:
        """A scalar loss to minimise."""
        ...
