"""Network ``oracle-data``: the exact field of a registered data set's empirical distribution."""

from __future__ import annotations

import attrs
import torch

from fmcore import BuildContext, choice, spec_type
from fmcore_oracles.empirical import EmpiricalDistribution
from fmcore_oracles.network import OracleNetwork, build_oracle

DatasetChoice = spec_type("dataset")


@attrs.frozen
class OracleDataSettings:
    """Exact field of a finite data set (1/N) Σ_i δ(z_i), untrained (no parameters): it memorises."""

    data: DatasetChoice = choice("dataset", {"name": "moons", "n": 1000},
                                 'the data set, e.g. {name = "moons", n = 512}')


def build_oracle_data(settings: OracleDataSettings, context: BuildContext) -> OracleNetwork:
    dataset = settings.data.value
    points = dataset.get(torch.arange(len(dataset))).x
    return build_oracle("oracle-data", EmpiricalDistribution(points), context)
