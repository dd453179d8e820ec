"""scikit-learn's 8×8 handwritten digits (1797 images, 17 grey levels, labels 0–9)."""

from __future__ import annotations

import attrs
import torch

from fmcore import BuildContext, setting
from fmcore_datasets.images import ImageDataset

LEVELS = 17  # pixel values 0 … 16


@attrs.frozen
class Digits:
    """8×8 digits [1, 8, 8] in [−1, 1], labels 0–9 (scikit-learn's copy of the UCI data)."""

    labels: bool = setting(True, "serve the digit (0–9) as the label, for class-conditional models")
    dequantize: bool = setting(True, "x = 2(k + U)/17 − 1 with fresh U ~ U[0, 1) per batch "
                                     "(false: the cell centre, U = 1/2)")


def build_digits(settings: Digits, context: BuildContext) -> ImageDataset:
    from sklearn.datasets import load_digits  # imported here: scikit-learn takes a second to load

    digits = load_digits()
    pixels = torch.from_numpy(digits.images).round().to(torch.uint8)[:, None]
    labels = torch.from_numpy(digits.target).long() if settings.labels else None
    return ImageDataset(pixels, LEVELS, settings.dequantize, labels, 10)
