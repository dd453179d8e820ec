"""Hook implementations of the built-in couplings."""

from fmcore import Component
from fmcore_couplings.exact_ot import MinibatchOT
from fmcore_couplings.independent import Independent
from fmcore_couplings.sinkhorn import Sinkhorn


def fmcore_couplings() -> list[Component]:
    return [
        Component("independent", Independent),
        Component("ot", MinibatchOT, aliases=("minibatch-ot", "exact-ot")),
        Component("sinkhorn", Sinkhorn, aliases=("entropic-ot",)),
    ]
