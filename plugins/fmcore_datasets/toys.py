"""Two-dimensional toy distributions, generated from their own seed and sized by ``n``."""

from __future__ import annotations

import abc
import math

import attrs
import torch
from attrs.validators import ge, gt
from torch import Tensor

from fmcore import BuildContext, TensorDataset, setting


@attrs.frozen
class Toy2D(abc.ABC):
    """Shared settings of the 2-D toys; subclasses implement :meth:`generate`."""

    n: int = setting(50_000, "number of points", validator=gt(0))
    seed: int = setting(0, "seed of the generator that draws the points", validator=ge(0))
    scale: float = setting(1.0, "factor applied to every point", validator=gt(0.0))

    @abc.abstractmethod
    def generate(self, gen: torch.Generator) -> Tensor:
        """``[n, 2]`` float64 points drawn with ``gen``."""

    def points(self) -> Tensor:
        """The ``[n, 2]`` float32 points, the same for the same settings."""
        gen = torch.Generator().manual_seed(self.seed)
        return (self.scale * self.generate(gen).to(torch.float64)).to(torch.float32)


def _rand(n: int, gen: torch.Generator) -> Tensor:
    return torch.rand(n, generator=gen, dtype=torch.float64)


def _halves(n: int, gen: torch.Generator) -> Tensor:
    """A random membership mask with exactly ``ceil(n/2)`` members, so any prefix is well mixed."""
    return torch.randperm(n, generator=gen) < (n + 1) // 2


def _randn(shape: tuple[int, ...], gen: torch.Generator) -> Tensor:
    return torch.randn(shape, generator=gen, dtype=torch.float64)


@attrs.frozen
class Moons(Toy2D):
    """Two interleaving half circles, centred at the origin, with Gaussian noise."""

    noise: float = setting(0.05, "standard deviation of the added noise", validator=ge(0.0))

    def generate(self, gen: torch.Generator) -> Tensor:
        upper = _halves(self.n, gen)
        theta = math.pi * _rand(self.n, gen)
        x = torch.where(upper, torch.cos(theta), 1 - torch.cos(theta))
        y = torch.where(upper, torch.sin(theta), 0.5 - torch.sin(theta))
        centre = torch.tensor([0.5, 0.25], dtype=torch.float64)
        return torch.stack([x, y], 1) - centre + self.noise * _randn((self.n, 2), gen)


@attrs.frozen
class Circles(Toy2D):
    """Two concentric circles of radius 1 and ``factor``, with Gaussian noise."""

    noise: float = setting(0.03, "standard deviation of the added noise", validator=ge(0.0))
    factor: float = setting(0.5, "radius of the inner circle", validator=gt(0.0))

    def generate(self, gen: torch.Generator) -> Tensor:
        outer = _halves(self.n, gen)
        radius = torch.where(outer, 1.0, self.factor).to(torch.float64)
        theta = 2 * math.pi * _rand(self.n, gen)
        ring = radius[:, None] * torch.stack([torch.cos(theta), torch.sin(theta)], 1)
        return ring + self.noise * _randn((self.n, 2), gen)


@attrs.frozen
class EightGaussians(Toy2D):
    """Eight equal Gaussians with centres evenly spaced on a circle."""

    radius: float = setting(2.0, "radius of the circle of centres", validator=gt(0.0))
    std: float = setting(0.1, "standard deviation of each Gaussian", validator=gt(0.0))

    def centres(self) -> Tensor:
        angles = 2 * math.pi * torch.arange(8, dtype=torch.float64) / 8
        return self.radius * torch.stack([torch.cos(angles), torch.sin(angles)], 1)

    def generate(self, gen: torch.Generator) -> Tensor:
        which = torch.randint(8, (self.n,), generator=gen)
        return self.centres()[which] + self.std * _randn((self.n, 2), gen)


@attrs.frozen
class Checkerboard(Toy2D):
    """Uniform on the dark squares of a 4×4 checkerboard over [−2, 2]²."""

    def generate(self, gen: torch.Generator) -> Tensor:
        x = 4 * _rand(self.n, gen) - 2
        row = torch.randint(2, (self.n,), generator=gen, dtype=torch.float64)
        y = _rand(self.n, gen) - 2 * row + torch.floor(x) % 2
        return torch.stack([x, y], 1)


@attrs.frozen
class SwissRoll(Toy2D):
    """A 2-D swiss roll: r(s) = s (cos s, sin s)/5 for s ~ U[1.5π, 4.5π], with Gaussian noise."""

    noise: float = setting(0.05, "standard deviation of the added noise", validator=ge(0.0))

    def generate(self, gen: torch.Generator) -> Tensor:
        s = 1.5 * math.pi * (1 + 2 * _rand(self.n, gen))
        roll = torch.stack([s * torch.cos(s), s * torch.sin(s)], 1) / 5
        return roll + self.noise * _randn((self.n, 2), gen)


def build_toy(settings: Toy2D, context: BuildContext) -> TensorDataset:
    return TensorDataset(settings.points())
