"""The building blocks of the UNet: residual blocks, self-attention, down- and upsampling."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn


class ResidualBlock(nn.Module):
    """``y = skip(x) + conv₂(act(GN(conv₁(act(GN(x))) + W act(e))))`` with ``act = SiLU``; the
    embedding ``e`` (time and label) shifts every channel. ``skip`` is a 1×1 conv when the channel
    count changes."""

    def __init__(self, channels_in: int, channels_out: int, embedding_dim: int, groups: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, channels_in)
        self.conv1 = nn.Conv2d(channels_in, channels_out, 3, padding=1)
        self.embedding = nn.Linear(embedding_dim, channels_out)
        self.norm2 = nn.GroupNorm(groups, channels_out)
        self.conv2 = nn.Conv2d(channels_out, channels_out, 3, padding=1)
        self.skip = nn.Conv2d(channels_in, channels_out, 1) if channels_in != channels_out else nn.Identity()

    def forward(self, x: Tensor, e: Tensor) -> Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.embedding(F.silu(e))[:, :, None, None]
        return self.skip(x) + self.conv2(F.silu(self.norm2(h)))


class SelfAttention(nn.Module):
    """``y = x + W_o softmax(q kᵀ/√d) v`` over the ``H·W`` positions, ``heads`` heads of ``d = C/heads``
    channels, with ``q, k, v`` 1×1 convolutions of ``GN(x)``."""

    def __init__(self, channels: int, heads: int, groups: int):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.out = nn.Conv2d(channels, channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        b, c, h, w = x.shape
        qkv = self.qkv(self.norm(x)).reshape(b, 3, self.heads, c // self.heads, h * w).transpose(-1, -2)
        q, k, v = qkv.unbind(1)  # [B, heads, H·W, d]
        attended = F.scaled_dot_product_attention(q, k, v)
        return x + self.out(attended.transpose(-1, -2).reshape(b, c, h, w))


class Stage(nn.Module):
    """A residual block, followed by self-attention at the resolutions that ask for it."""

    def __init__(self, channels_in: int, channels_out: int, embedding_dim: int, groups: int,
                 heads: int | None):
        super().__init__()
        self.block = ResidualBlock(channels_in, channels_out, embedding_dim, groups)
        self.attention = SelfAttention(channels_out, heads, groups) if heads else None

    def forward(self, x: Tensor, e: Tensor) -> Tensor:
        h = self.block(x, e)
        return h if self.attention is None else self.attention(h)


class Downsample(nn.Module):
    """A 3×3 convolution of stride 2: ``n ↦ ⌈n/2⌉`` pixels per side, odd sizes included."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(x)


class Upsample(nn.Module):
    """Nearest-neighbour resizing to the skip connection's exact size, then a 3×3 convolution, so
    ``⌈n/2⌉`` returns to ``n`` for odd ``n`` too."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: Tensor, size: tuple[int, int]) -> Tensor:
        return self.conv(F.interpolate(x, size=size, mode="nearest"))
