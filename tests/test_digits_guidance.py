"""A class-conditional digits model with classifier-free guidance draws digits of the asked class:
a logistic regression fitted on the real digits names that class far above chance (0.1)."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

import fmcore

# A small MLP trained for a few hundred steps keeps the test fast; examples/digits.toml trains a
# UNet (python -m benchmarks.digits_guidance measures it).
CONFIG = {
    "seed": 0,
    "data": {"name": "digits"},
    "network": {"name": "mlp", "width": 128, "depth": 3},
    "integrator": {"name": "euler", "steps": 20},
    "train": {"steps": 400, "batch_size": 128, "lr": 2e-3, "ema_decay": 0.99, "lr_schedule": "cosine",
              "label_dropout": 0.1, "device": "cpu"},
}


def test_guided_samples_are_recognised_as_their_class():
    digits = load_digits()
    pixels = (2 * (digits.images + 0.5) / 17 - 1).reshape(-1, 64)
    with threadpool_limits(1):  # one BLAS thread: test workers already fill the cores
        classifier = LogisticRegression(max_iter=3000).fit(pixels, digits.target)
    pipe = fmcore.Pipeline.from_config(CONFIG)
    pipe.train()
    labels = torch.arange(10).repeat(20)
    accuracy = {}
    for scale in (1.0, 2.0):
        x = pipe.sample(len(labels), cond=labels, guidance=scale, seed=1)
        accuracy[scale] = float(np.mean(classifier.predict(x.reshape(len(labels), -1).numpy()) == labels.numpy()))
    unconditional = classifier.predict(pipe.sample(200, seed=2).reshape(200, -1).numpy())
    assert accuracy[1.0] > 0.6 and accuracy[2.0] > 0.85, accuracy
    assert len(set(unconditional.tolist())) >= 8  # the "no label" class learned all digits
