"""Configs: TOML/JSON files validated into attrs settings by cattrs, with every error placed."""

from fmcore.config.converter import structure, unstructure
from fmcore.config.model import Config
from fmcore.config.spec import ComponentSpec, choice, spec_type
from fmcore.config.resolve import DEFAULT_NAMES, load_config, resolve
from fmcore.config.sources import apply_overrides, parse_value, read_config_file
from fmcore.config.train import TrainSettings

__all__ = [
    "DEFAULT_NAMES",
    "ComponentSpec",
    "Config",
    "TrainSettings",
    "apply_overrides",
    "choice",
    "spec_type",
    "load_config",
    "parse_value",
    "read_config_file",
    "resolve",
    "structure",
    "unstructure",
]
