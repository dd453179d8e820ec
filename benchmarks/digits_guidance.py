"""Class-conditional digits: how often a classifier trained on real digits names the class a
sample was asked for, at several classifier-free guidance scales.

The classifier is scikit-learn's logistic regression on the 64 pixels (in [−1, 1]), fitted on 1200
real digits; its accuracy on the other 597 real digits is printed beside the samples' as the
reference (chance is 0.10). Trains ``examples/digits.toml`` first unless ``--run`` names a run.

    python -m benchmarks.digits_guidance --out runs/digits       # train, then evaluate
    python -m benchmarks.digits_guidance --run runs/digits        # evaluate a trained run
    python -m benchmarks --only digits --digits runs/digits        # as a section of the page
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

import fmcore
from benchmarks.markdown import table


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
    reference, results = evaluate(pipeline, args.per_class, args.guidance, args.seed)
    print(f"classifier accuracy on held-out real digits: {reference:.3f} (chance 0.100)")
    for scale, accuracy, seconds in results:
        print(f"guidance {scale:.1f}: accuracy {accuracy:.3f} on {10 * args.per_class} samples "
              f"({accuracy / reference:.2f} of the real digits'; sampling {seconds:.1f} s)")


def evaluate(pipeline: fmcore.Pipeline, per_class: int, guidance: list[float],
             seed: int) -> tuple[float, list[tuple[float, float, float]]]:
    """The classifier's accuracy on held-out real digits, and per guidance scale the accuracy on
    ``per_class`` samples of each class and the sampling time in seconds."""
    model, reference = classifier()
    labels = torch.arange(10).repeat_interleave(per_class)
    results = []
    for scale in guidance:
        start = time.perf_counter()
        x = pipeline.sample(len(labels), cond=labels, guidance=scale, seed=seed)
        seconds = time.perf_counter() - start
        predicted = model.predict(x.reshape(len(labels), -1).numpy())
        results.append((scale, float(np.mean(predicted == labels.numpy())), seconds))
    return reference, results


def section(quick: bool, run: str) -> str:
    """The page's section for the trained digits run ``run`` (``python -m benchmarks --digits RUN``)."""
    per_class = 20 if quick else 50
    reference, results = evaluate(fmcore.Pipeline.load(run), per_class, [1.0, 2.0, 3.0], 0)
    return "\n\n".join([
        "## Class-conditional digits",
        f"Run `{run}`: {per_class} samples per class at each guidance scale, classified by a logistic "
        f"regression fitted on 1200 real digits (accuracy {reference:.3f} on the other 597; chance 0.100).",
        table(["guidance", "accuracy", "of the real digits'", "sampling s"],
              [(f"{scale:.1f}", f"{accuracy:.3f}", f"{accuracy / reference:.2f}", f"{seconds:.1f}")
               for scale, accuracy, seconds in results]),
    ])


if __name__ == "__main__":
    main()
