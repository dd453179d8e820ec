"""Peers: the same network, weights, data and time sampling run through other code than fmcore.

- :mod:`benchmarks.peers.hand`: hand-written PyTorch (the baseline every ratio is taken against);
- :mod:`benchmarks.peers.meta_flow_matching`: Meta's ``flow_matching`` (``AffineProbPath`` with
  ``CondOTScheduler``, ``ODESolver``);
- :mod:`benchmarks.peers.torchcfm_torchdyn`: ``torchcfm`` (``ConditionalFlowMatcher``) sampled with
  torchdyn's ``NeuralODE``, as torchcfm's examples do.

The two libraries are the optional ``bench`` extra; a benchmark asks :func:`load` for a peer and
prints :data:`SKIPPED` in its place when the peer is not installed (or not selected with
``python -m benchmarks --peers``).
"""

from __future__ import annotations

import importlib
from importlib import metadata
from types import ModuleType

SKIPPED = "skipped: pip install 'fmcore[bench]'"

#: Peer name (as in tables and ``--peers``) → its adapter module.
PEERS = {
    "flow_matching": "benchmarks.peers.meta_flow_matching",
    "torchcfm": "benchmarks.peers.torchcfm_torchdyn",
}

#: Distributions whose versions the page header lists.
DISTRIBUTIONS = ("torch", "torchdiffeq", "flow_matching", "torchcfm", "torchdyn", "POT")

_selected: set[str] = set(PEERS)
_why_not: dict[str, str] = {}


def select(names: list[str] | None) -> None:
    """Use only the peers ``names`` (``None``: all of them)."""
    unknown = sorted(set(names or ()) - set(PEERS))
    if unknown:
        raise ValueError(f"unknown peer {unknown[0]!r}; the peers are {', '.join(PEERS)}")
    _selected.clear()
    _selected.update(PEERS if names is None else names)


def load(name: str) -> ModuleType | None:
    """The adapter of peer ``name``, or ``None`` when it is not selected or cannot be imported
    (:func:`why_not` then says why)."""
    if name not in _selected:
        _why_not[name] = "not selected (--peers)"
        return None
    try:
        return importlib.import_module(PEERS[name])
    except Exception as exc:  # a missing peer, or one whose own imports fail (e.g. a mismatched torchvision)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        _why_not[name] = SKIPPED if isinstance(exc, ImportError) else f"{SKIPPED} (import failed: {message})"
        return None


def why_not(name: str) -> str:
    """Why :func:`load` returned ``None`` for ``name``."""
    return _why_not.get(name, SKIPPED)


def versions() -> dict[str, str]:
    """Installed version of each of :data:`DISTRIBUTIONS` (``"not installed"`` otherwise)."""
    found = {}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found
