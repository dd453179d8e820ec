"""The resolved config: every component chosen by its canonical name, with its settings filled in."""

from __future__ import annotations

from typing import Any

import attrs

import fmcore
from fmcore.config.converter import unstructure
from fmcore.config.spec import ComponentSpec
from fmcore.config.train import TrainSettings
from fmcore.kinds import KINDS, top_level_kinds


@attrs.frozen
class Config:
    """A validated config. ``to_dict()`` is its resolved form, which rebuilds it exactly."""

    seed: int
    data: ComponentSpec
    path: ComponentSpec
    target: ComponentSpec
    objective: ComponentSpec
    network: ComponentSpec
    integrator: ComponentSpec
    train: TrainSettings
    source: str | None = attrs.field(default=None, eq=False)

    def component(self, kind: str) -> ComponentSpec:
        return getattr(self, str(KINDS[kind].section))

    def components(self) -> list[ComponentSpec]:
        return [self.component(kind.name) for kind in top_level_kinds()]

    def to_dict(self, provenance: bool = True) -> dict[str, Any]:
        """The resolved table: canonical names, every default, and (optionally) provenance."""
        out: dict[str, Any] = {"seed": self.seed}
        for spec in self.components():
            out[str(KINDS[spec.kind].section)] = spec.to_dict()
        out["train"] = unstructure(self.train)
        if provenance:
            table: dict[str, Any] = {"fmcore": fmcore.__version__}
            for spec in self.components():
                table[str(KINDS[spec.kind].section)] = spec.provenance()
            out["provenance"] = table
        return out

    def to_toml(self, provenance: bool = True) -> str:
        import tomli_w

        return tomli_w.dumps(self.to_dict(provenance))
