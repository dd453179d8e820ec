"""The feature classifier of the image metrics: a small MLP trained on the run's labelled images.

It is trained once per run, with a fixed seed (so that the features, and with them the Fréchet
distances, are comparable between evaluations), on 80% of the data set; the other 20% give its
held-out accuracy. The weights are kept in ``classifier.safetensors`` in the evaluation's cache
directory (``RUN/eval/``), with the data table they were trained on, and reused while it matches.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import attrs
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save
from torch import Tensor, nn

from fmcore import Dataset, EvalContext, EvalSetup, Measurement
from fmcore.data_units import DataUnits
from fmcore.runs import atomic

FILE = "classifier.safetensors"
FORMAT = "1"
WIDTH, FEATURES = 256, 64
EPOCHS, BATCH, LR, SEED = 30, 64, 2e-3, 0
HELD_OUT = 0.2


def unsupported(setup: EvalSetup) -> str | None:
    """Why the classifier cannot be trained: it needs images ``[C, H, W]`` with class labels."""
    if not setup.images or setup.num_classes is None:
        classes = "no classes" if setup.num_classes is None else f"{setup.num_classes} classes"
        return (f"needs labelled image data [C, H, W] to train its feature classifier (the data: "
                f"{list(setup.event_shape)}, {classes})")
    return None


class FeatureClassifier(nn.Module):
    """``logits = W h(x) + b`` with features ``h(x) = SiLU(A₂ SiLU(A₁ vec(x) + a₁) + a₂) ∈ R^64``."""

    def __init__(self, dim: int, classes: int):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(dim, WIDTH), nn.SiLU(), nn.Linear(WIDTH, FEATURES),
                                  nn.SiLU())
        self.head = nn.Linear(FEATURES, classes)

    def features(self, x: Tensor) -> Tensor:
        return self.body(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.body(x))


@attrs.frozen
class Classifier:
    """A trained :class:`FeatureClassifier` and its accuracy on the held-out fifth of the data."""

    network: FeatureClassifier
    accuracy: float

    def features(self, x: Tensor) -> Tensor:
        """Features ``[n, 64]`` (float64) of images ``[n, C, H, W]`` in the data's units."""
        with torch.no_grad():
            return self.network.features(x.float()).double()

    def predict(self, x: Tensor) -> Tensor:
        """The most likely class of each image, ``[n]``."""
        with torch.no_grad():
            return self.network(x.float()).argmax(1)

    def accuracy_measurement(self) -> Measurement:
        return Measurement("classifier-accuracy", self.accuracy, "", "held-out accuracy of the feature "
                           "classifier on the real data (a sanity check of fd and class-accuracy)")


def classifier_for(context: EvalContext) -> Classifier:
    """The cached classifier of this data set, or a new one trained and cached."""
    dataset = context.pipeline.dataset
    key = json.dumps({"format": FORMAT, "data": context.pipeline.config.data.to_dict(),
                      "event_shape": list(dataset.event_shape), "classes": dataset.num_classes}, sort_keys=True)
    dim, classes = math.prod(dataset.event_shape), int(dataset.num_classes)
    file = context.cache / FILE
    cached = _load(file, key, dim, classes)
    if cached is not None:
        return cached
    trained = _train(dataset, dim, classes)
    context.cache.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(file, save(trained.network.state_dict(),
                                  metadata={"key": key, "accuracy": repr(trained.accuracy)}))
    return trained


def _load(file: Path, key: str, dim: int, classes: int) -> Classifier | None:
    """The classifier in ``file`` if it exists, is readable and was trained for ``key``."""
    try:
        with safe_open(str(file), framework="pt") as f:
            metadata = f.metadata() or {}
            weights = {name: f.get_tensor(name) for name in f.keys()}
    except (FileNotFoundError, SafetensorError):
        return None
    if metadata.get("key") != key:
        return None
    network = FeatureClassifier(dim, classes)
    network.load_state_dict(weights)
    return Classifier(network.eval(), float(metadata["accuracy"]))


def _train(dataset: Dataset, dim: int, classes: int) -> Classifier:
    """Adam on the cross-entropy, ``EPOCHS`` passes over 80% of the data (fresh dequantization noise
    each pass), everything drawn from ``SEED``; accuracy on the other 20%."""
    units = DataUnits.of(dataset)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        order = torch.randperm(len(dataset))
        held, kept = order.split([int(HELD_OUT * len(order)), len(order) - int(HELD_OUT * len(order))])
        network = FeatureClassifier(dim, classes)
        optimizer = torch.optim.Adam(network.parameters(), lr=LR)
        for _ in range(EPOCHS):
            for indices in kept[torch.randperm(len(kept))].split(BATCH):
                batch = dataset.get(indices)
                loss = nn.functional.cross_entropy(network(units.to_data(batch.x)), batch.cond)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        network.eval()
        test = dataset.get(held)
        with torch.no_grad():
            right = network(units.to_data(test.x)).argmax(1) == test.cond
    return Classifier(network, float(right.double().mean()))
