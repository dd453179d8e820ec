"""A multilayer perceptron on flattened data and embedded time."""

from __future__ import annotations

import math
from typing import Literal

import attrs
import torch
from attrs.validators import gt
from torch import Tensor, nn

from fmcore import BuildContext, setting
from fmcore_networks.label_embedding import LabelEmbedding, embed_time_and_label
from fmcore_networks.time_embedding import SinusoidalTimeEmbedding

Activation = Literal["silu", "relu", "gelu", "selu", "elu", "tanh", "softplus", "leaky-relu"]
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "silu": nn.SiLU, "relu": nn.ReLU, "gelu": nn.GELU, "selu": nn.SELU, "elu": nn.ELU,
    "tanh": nn.Tanh, "softplus": nn.Softplus, "leaky-relu": nn.LeakyReLU,
}


def _even(instance: object, attribute: attrs.Attribute, value: int) -> None:
    if value % 2:
        raise ValueError(f"'{attribute.name}' must be even")


@attrs.frozen
class MLPSettings:
    """MLP on [x, embed(t)]: `depth` hidden layers of `width` units."""

    width: int = setting(256, "units per hidden layer", validator=gt(0))
    depth: int = setting(3, "number of hidden layers", validator=gt(0))
    activation: Activation = setting("silu", "nonlinearity between layers")
    time_embedding_dim: int = setting(64, "size of the sinusoidal time embedding (even)",
                                      validator=[gt(0), _even])
    max_frequency: float = setting(1000.0, "highest frequency of the time embedding", validator=gt(1.0))


class MLP(nn.Module):
    """``net(x, t, cond) = W_out h_depth``, ``h_0 = [flatten(x), e(t) (+ e(cond))]``,
    ``h_k = act(W_k h_{k-1} + b_k)``. When the data have classes, a learned label embedding is added
    to the time embedding; ``cond = None`` is the "no label" class, index ``num_classes``."""

    def __init__(self, settings: MLPSettings, event_shape: tuple[int, ...], num_classes: int | None = None):
        super().__init__()
        self.event_shape = tuple(event_shape)
        dim = math.prod(self.event_shape)
        emb = settings.time_embedding_dim
        self.time_embedding = SinusoidalTimeEmbedding(emb, settings.max_frequency)
        self.label_embedding = LabelEmbedding(num_classes, emb) if num_classes else None
        act = ACTIVATIONS[settings.activation]
        layers: list[nn.Module] = []
        width_in = dim + emb
        for _ in range(settings.depth):
            layers += [nn.Linear(width_in, settings.width), act()]
            width_in = settings.width
        layers.append(nn.Linear(width_in, dim))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        embedding = embed_time_and_label(self.time_embedding, self.label_embedding, x, t, cond)
        h = torch.cat([x.flatten(1), embedding], dim=1)
        return self.layers(h).view_as(x)


def build_mlp(settings: MLPSettings, context: BuildContext) -> MLP:
    if context.event_shape is None:
        raise ValueError("an MLP needs the data's event shape to be built")
    return MLP(settings, context.event_shape, context.num_classes)
