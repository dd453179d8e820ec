"""A small UNet for images ``[C, H, W]``, conditioned on time and (optionally) class labels."""

from __future__ import annotations

import attrs
import torch
from attrs.validators import deep_iterable, gt, min_len
from torch import Tensor, nn

from fmcore import BuildContext, ConfigError, ConfigIssue, setting
from fmcore_networks.label_embedding import LabelEmbedding, embed_time_and_label
from fmcore_networks.time_embedding import SinusoidalTimeEmbedding
from fmcore_networks.unet_blocks import Downsample, Stage, Upsample


def _even(instance: object, attribute: attrs.Attribute, value: int) -> None:
    if value % 2:
        raise ValueError(f"'{attribute.name}' must be even")


_positive_list = [min_len(1), deep_iterable(gt(0))]


@attrs.frozen
class UNetSettings:
    """UNet for images [C, H, W] with time and label embedding and optional self-attention.

    Residual blocks (GroupNorm, SiLU) per level, the resolution halved (rounded up) from one level to
    the next; any image size."""

    channels: int = setting(32, "channels of the first convolution", validator=gt(0))
    channel_mults: tuple[int, ...] = setting(
        (1, 2), "one entry per level: level i has channels × channel_mults[i] channels and half the "
                "resolution of level i−1 (rounded up)", validator=_positive_list)
    blocks: int = setting(2, "residual blocks per level on the way down (one more on the way up)",
                          validator=gt(0))
    attention_resolutions: tuple[int, ...] = setting(
        (), "add self-attention after each block at levels whose feature maps have this shorter side "
            "(e.g. [4]); the middle block counts as the last level", validator=deep_iterable(gt(0)))
    heads: int = setting(4, "attention heads (must divide the channels where attention is used)",
                         validator=gt(0))
    groups: int = setting(8, "GroupNorm groups (must divide channels)", validator=gt(0))
    time_embedding_dim: int = setting(64, "size of the sinusoidal time embedding (even)",
                                      validator=[gt(0), _even])
    max_frequency: float = setting(1000.0, "highest frequency of the time embedding", validator=gt(1.0))


def level_sizes(height: int, width: int, levels: int) -> list[tuple[int, int]]:
    """Feature-map sizes per level: ``(H, W)``, then ``⌈·/2⌉`` per side from level to level."""
    sizes = [(height, width)]
    for _ in range(levels - 1):
        h, w = sizes[-1]
        sizes.append(((h + 1) // 2, (w + 1) // 2))
    return sizes


def check_unet(settings: UNetSettings, event_shape: tuple[int, ...] | None) -> list[tuple[int, int]]:
    """The level sizes for ``event_shape``, or a :class:`ConfigError` saying what does not fit."""
    if event_shape is None or len(event_shape) != 3:
        shape = "unknown" if event_shape is None else list(event_shape)
        raise ConfigError([ConfigIssue("$.network", f"unet needs image data [C, H, W]; the data have "
                                       f"event shape {shape} (use mlp)")])
    _, height, width = event_shape
    sizes = level_sizes(height, width, len(settings.channel_mults))
    issues = []
    halved_ones = [i for i in range(1, len(sizes)) if min(sizes[i - 1]) < 2]
    if halved_ones:
        shown = ", ".join(f"{h}×{w}" for h, w in sizes)
        issues.append(ConfigIssue("$.network.channel_mults", f"{len(sizes)} levels on {height}×{width} "
                                  f"images would halve a 1-pixel side ({shown}); use at most "
                                  f"{halved_ones[0]} levels"))
    if settings.channels % settings.groups:
        issues.append(ConfigIssue("$.network.groups", f"{settings.groups} groups do not divide "
                                  f"channels = {settings.channels}"))
    resolutions = [min(size) for size in sizes]
    for r in settings.attention_resolutions:
        if r not in resolutions:
            issues.append(ConfigIssue("$.network.attention_resolutions", f"{r} is not a resolution of this "
                                      f"UNet on {height}×{width} images (levels: {resolutions})"))
        elif settings.channels * settings.channel_mults[resolutions.index(r)] % settings.heads:
            issues.append(ConfigIssue("$.network.heads", f"{settings.heads} heads do not divide the "
                                      f"channels at resolution {r}"))
    if issues:
        raise ConfigError(issues)
    return sizes


class UNet(nn.Module):
    """``net(x, t, cond)`` for images: a stem convolution, ``len(channel_mults)`` levels of residual
    stages joined by downsampling, a middle, and the mirror image upward with skip connections
    (concatenated), then GroupNorm, SiLU and a 3×3 convolution back to ``C`` channels.

    Every residual block receives ``e = MLP(sin/cos(t) + E[c])``; ``E`` is a learned label embedding
    (when the data have classes) whose index ``num_classes`` is "no label", used for ``cond = None``.
    """

    def __init__(self, settings: UNetSettings, event_shape: tuple[int, ...], num_classes: int | None = None):
        super().__init__()
        sizes = check_unet(settings, event_shape)
        self.event_shape = tuple(event_shape)
        groups, base = settings.groups, settings.channels
        emb, dim = settings.time_embedding_dim, 4 * settings.channels
        self.time_embedding = SinusoidalTimeEmbedding(emb, settings.max_frequency)
        self.label_embedding = LabelEmbedding(num_classes, emb) if num_classes else None
        self.embedding = nn.Sequential(nn.Linear(emb, dim), nn.SiLU(), nn.Linear(dim, dim))

        def heads(level: int) -> int | None:
            return settings.heads if min(sizes[level]) in settings.attention_resolutions else None

        self.stem = nn.Conv2d(event_shape[0], base, 3, padding=1)
        skips, width = [base], base
        self.down, self.downsample = nn.ModuleList(), nn.ModuleList()
        for level, mult in enumerate(settings.channel_mults):
            stages = nn.ModuleList()
            for _ in range(settings.blocks):
                stages.append(Stage(width, base * mult, dim, groups, heads(level)))
                width = base * mult
                skips.append(width)
            self.down.append(stages)
            if level < len(sizes) - 1:
                self.downsample.append(Downsample(width))
                skips.append(width)
        last = len(sizes) - 1
        self.middle = nn.ModuleList([Stage(width, width, dim, groups, heads(last)),
                                     Stage(width, width, dim, groups, None)])
        self.up, self.upsample = nn.ModuleList(), nn.ModuleList()
        for level, mult in reversed(list(enumerate(settings.channel_mults))):
            stages = nn.ModuleList()
            for _ in range(settings.blocks + 1):
                stages.append(Stage(width + skips.pop(), base * mult, dim, groups, heads(level)))
                width = base * mult
            self.up.append(stages)
            if level > 0:
                self.upsample.append(Upsample(width))
        self.head = nn.Sequential(nn.GroupNorm(groups, width), nn.SiLU(),
                                  nn.Conv2d(width, event_shape[0], 3, padding=1))

    def forward(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        e = self.embedding(embed_time_and_label(self.time_embedding, self.label_embedding, x, t, cond))
        h = self.stem(x)
        skips = [h]
        for level, stages in enumerate(self.down):
            for stage in stages:
                h = stage(h, e)
                skips.append(h)
            if level < len(self.downsample):
                h = self.downsample[level](h)
                skips.append(h)
        for stage in self.middle:
            h = stage(h, e)
        for level, stages in enumerate(self.up):
            for stage in stages:
                h = stage(torch.cat([h, skips.pop()], 1), e)
            if level < len(self.upsample):
                h = self.upsample[level](h, skips[-1].shape[-2:])
        return self.head(h)


def build_unet(settings: UNetSettings, context: BuildContext) -> UNet:
    return UNet(settings, context.event_shape, context.num_classes)  # type: ignore[arg-type]
