"""The resolved config: every component chosen by its canonical name, with its settings filled in."""

from __future__ import annotations

from typing import Any

import attrs

import fmcore
from fmcore.component import BuildContext
from fmcore.config.converter import unstructure
from fmcore.config.train import TrainSettings
from fmcore.kinds import KINDS
from fmcore.registry import Provided


@attrs.frozen
class ComponentSpec:
    """A component chosen in a config: its provider, canonical name and validated settings."""

    kind: str
    name: str
    provided: Provided
    settings: Any

    def build(self, context: BuildContext | None = None) -> Any:
        """The component itself, built from the settings (and the context, for networks)."""
        return self.provided.component.build(self.settings, context or BuildContext())

    def to_dict(self) -> dict[str, Any]:
        """``{"name": ..., **settings}`` as it appears in a config table."""
        return {"name": self.name, **unstructure(self.settings)}

    def provenance(self) -> dict[str, str]:
        p = self.provided
        return {"name": p.name, "distribution": p.distribution, "version": p.version, "plugin": p.plugin}


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
        return getattr(self, KINDS[kind].section)

    def components(self) -> list[ComponentSpec]:
        return [self.component(kind) for kind in KINDS]

    def to_dict(self, provenance: bool = True) -> dict[str, Any]:
        """The resolved table: canonical names, every default, and (optionally) provenance."""
        out: dict[str, Any] = {"seed": self.seed}
        for spec in self.components():
            out[KINDS[spec.kind].section] = spec.to_dict()
        out["train"] = unstructure(self.train)
        if provenance:
            table: dict[str, Any] = {"fmcore": fmcore.__version__}
            for spec in self.components():
                table[KINDS[spec.kind].section] = spec.provenance()
            out["provenance"] = table
        return out

    def to_toml(self, provenance: bool = True) -> str:
        import tomli_w

        return tomli_w.dumps(self.to_dict(provenance))
