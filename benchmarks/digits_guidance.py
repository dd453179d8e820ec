"""Class-conditional digits: how often a classifier trained on real digits names the class a
sample was asked for, at several classifier-free guidance scales.

The classifier is scikit-learn's logistic regression on the 64 pixels (in [−1, 1]), fitted on 1200
real digits; its accuracy on the other 597 real digits is printed beside the samples' as the
reference (chance is 0.10). Trains ``examples/digits.toml`` first unless ``--run`` names a run.

    python -m benchmarks.digits_guidance --out runs/digits       # train, then evaluate
    python -m benchmarks.digits_guidance --run runs/digits        # evaluate a trained run
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

import fmcore


def classifier() -> tuple[LogisticRegression, float]:
    """Logistic regression on 1200 real digits and its accuracy on the remaining 597."""
    digits = load_digits()
    x = (2 * (digits.images + 0.5) / 17 - 1).reshape(len(digits.images), -1)
    model = LogisticRegression(max_iter=5000).fit(x[:1200], digits.target[:1200])
    return model, float(model.score(x[1200:], digits.target[1200:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", default=None, help="a trained digits run (default: train one)")
    parser.add_argument("--out", default=None, help="where to write the run when training")
    parser.add_argument("--config", default="examples/digits.toml")
    parser.add_argument("--per-class", type=int, default=50)
    parser.add_argument("--guidance", type=float, nargs="+", default=[1.0, 2.0, 3.0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.run is None:
        pipeline = fmcore.Pipeline.from_config(args.config)
        cpu = time.process_time()
        result = pipeline.train(args.out)
        print(f"trained {result.steps} steps in {result.seconds:.0f} s wall, {time.process_time() - cpu:.0f} s "
              f"CPU ({torch.get_num_threads()} threads; on a shared machine the CPU time is the steadier "
              f"measure), final loss {result.final_loss:.4f}")
    else:
        pipeline = fmcore.Pipeline.load(args.run)
    model, reference = classifier()
    labels = torch.arange(10).repeat_interleave(args.per_class)
    print(f"classifier accuracy on held-out real digits: {reference:.3f} (chance 0.100)")
    for scale in args.guidance:
        start = time.perf_counter()
        x = pipeline.sample(len(labels), cond=labels, guidance=scale, seed=args.seed)
        seconds = time.perf_counter() - start
        predicted = model.predict(x.reshape(len(labels), -1).numpy())
        accuracy = float(np.mean(predicted == labels.numpy()))
        print(f"guidance {scale:.1f}: accuracy {accuracy:.3f} on {len(labels)} samples "
              f"({accuracy / reference:.2f} of the real digits'; sampling {seconds:.1f} s)")


if __name__ == "__main__":
    main()
