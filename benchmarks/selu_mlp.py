"""The network of Tong et al.'s 2-D experiments as an fmcore network plugin (``tong-mlp``).

``net(x, t) = W₄ SELU(W₃ SELU(W₂ SELU(W₁ [x, t] + b₁) + b₂) + b₃) + b₄``: three hidden layers of
``width`` units on the data and the raw time, laid out as torchcfm's ``MLP(dim, w, time_varying=True)``
(the same ``net.0`` … ``net.6`` parameters), so one set of weights serves both libraries. It is
registered from Python with :func:`fmcore.register_plugin`, the way a third party's network would be.
"""

from __future__ import annotations

import math
import types

import attrs
import torch
from attrs.validators import gt
from torch import Tensor, nn

import fmcore
from fmcore import BuildContext, Component, setting

NAME = "tong-mlp"


@attrs.frozen
class SeluMLPSettings:
    """Tong et al.'s MLP on [x, t]: three SELU hidden layers of ``width`` units."""

    width: int = setting(64, "units per hidden layer", validator=gt(0))


class SeluMLP(nn.Module):
    def __init__(self, dim: int, width: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim + 1, width), nn.SELU(), nn.Linear(width, width), nn.SELU(),
                                 nn.Linear(width, width), nn.SELU(), nn.Linear(width, dim))

    def forward(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        return self.net(torch.cat([x.flatten(1), t.to(x.dtype)[:, None]], 1)).view_as(x)


def build(settings: SeluMLPSettings, context: BuildContext) -> SeluMLP:
    if context.event_shape is None:
        raise ValueError(f"network '{NAME}' needs the data's event shape")
    return SeluMLP(math.prod(context.event_shape), settings.width)


def register() -> None:
    """Make ``tong-mlp`` available to configs (once per process)."""
    if NAME not in fmcore.get_registry().names("network"):
        plugin = types.SimpleNamespace(fmcore_networks=lambda: [Component(NAME, SeluMLPSettings, build=build)])
        fmcore.register_plugin(plugin, "benchmark-networks")
