"""The UNet: shapes at even and odd sizes, dependence on time and label, gradients, and clear
refusals of shapes and settings that do not fit."""

from __future__ import annotations

import pytest
import torch

import fmcore
from fmcore import BuildContext, ConfigError

SMALL = {"channels": 8, "groups": 4, "heads": 2, "time_embedding_dim": 16}


def unet(shape, classes=None, **settings):
    torch.manual_seed(0)
    return fmcore.create("network", "unet", context=BuildContext(shape, classes), **{**SMALL, **settings})


@pytest.mark.parametrize(
    ("shape", "mults", "attention"),
    [((1, 8, 8), [1, 2, 2], [4]), ((1, 28, 28), [1, 2, 2], [7]), ((3, 7, 5), [1, 2, 2], [3, 2]),
     ((2, 1, 9), [1], [1]), ((1, 9, 2), [1, 2], [])],
)
def test_output_has_the_input_shape(shape, mults, attention):
    net = unet(shape, channel_mults=mults, attention_resolutions=attention)
    x = torch.randn(3, *shape)
    assert net(x, torch.rand(3)).shape == x.shape


def test_output_depends_on_time_and_label_and_none_is_the_null_class():
    net = unet((1, 8, 8), classes=10, attention_resolutions=[4])
    x, t = torch.randn(4, 1, 8, 8).repeat(2, 1, 1, 1), torch.full((8,), 0.3)
    labels = torch.tensor([0, 1, 2, 3, 4, 5, 6, 7])
    out = net(x, t, labels)
    assert (out[:4] - out[4:]).abs().amax(dim=(1, 2, 3)).min() > 1e-4  # same x, other label
    assert (net(x, torch.full((8,), 0.7), labels) - out).abs().amax(dim=(1, 2, 3)).min() > 1e-4
    assert torch.allclose(net(x, t), net(x, t, torch.full((8,), 10)))
    assert not torch.allclose(net(x, t), out, atol=1e-4)


def test_samples_are_independent_in_a_batch():
    net = unet((1, 8, 8), attention_resolutions=[4]).eval()
    x, t = torch.randn(5, 1, 8, 8), torch.rand(5)
    single = torch.cat([net(x[i : i + 1], t[i : i + 1]) for i in range(5)])
    assert torch.allclose(net(x, t), single, atol=1e-5)


def test_gradients_reach_every_parameter():
    net = unet((1, 7, 7), classes=3, channel_mults=[1, 2], attention_resolutions=[7, 4])
    net(torch.randn(4, 1, 7, 7), torch.rand(4), torch.tensor([0, 1, 2, 3])).square().sum().backward()
    silent = [name for name, p in net.named_parameters() if p.grad is None or p.grad.abs().max() == 0]
    assert not silent


def test_labels_for_an_unconditional_unet_are_refused():
    with pytest.raises(ValueError, match="without classes"):
        unet((1, 8, 8))(torch.randn(2, 1, 8, 8), torch.rand(2), torch.tensor([0, 1]))


@pytest.mark.parametrize(
    ("shape", "settings", "place", "message"),
    [
        ((2,), {}, "$.network", "unet needs image data [C, H, W]; the data have event shape [2]"),
        ((1, 8, 8), {"channel_mults": [1, 1, 1, 1, 1]}, "$.network.channel_mults",
         "5 levels on 8×8 images would halve a 1-pixel side (8×8, 4×4, 2×2, 1×1, 1×1); use at most 4 levels"),
        ((1, 8, 8), {"groups": 3}, "$.network.groups", "3 groups do not divide channels = 8"),
        ((1, 8, 8), {"attention_resolutions": [3]}, "$.network.attention_resolutions",
         "3 is not a resolution of this UNet on 8×8 images (levels: [8, 4])"),
        ((1, 8, 8), {"heads": 3, "attention_resolutions": [8]}, "$.network.heads", "3 heads do not divide"),
    ],
)
def test_shapes_and_settings_that_do_not_fit_are_config_errors(shape, settings, place, message):
    with pytest.raises(ConfigError) as info:
        unet(shape, **{"channel_mults": [1, 2], **settings})
    assert f"{place}: {message}" in str(info.value)


def test_a_unet_on_points_is_refused_in_one_line():
    with pytest.raises(ConfigError) as info:
        fmcore.Pipeline.from_config({"data": {"name": "moons"}, "network": {"name": "unet"}})
    assert str(info.value).startswith("$.network: unet needs image data") and "\n" not in str(info.value)


def test_invalid_values_are_reported_at_their_place():
    with pytest.raises(ConfigError) as info:
        fmcore.load_config({"data": {"name": "digits"}, "network": {"name": "unet", "channel_mults": [], "channels": 0}})
    assert "$.network.channel_mults" in str(info.value) and "$.network.channels" in str(info.value)
