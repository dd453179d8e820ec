"""Hook implementations of the oracle networks."""

from fmcore import Component
from fmcore_oracles.oracle_data import OracleDataSettings, build_oracle_data
from fmcore_oracles.oracle_gmm import OracleGMMSettings, build_oracle_gmm


def fmcore_networks() -> list[Component]:
    return [
        Component("oracle-gmm", OracleGMMSettings, build=build_oracle_gmm),
        Component("oracle-data", OracleDataSettings, build=build_oracle_data),
    ]
