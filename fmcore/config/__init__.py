"""Configs: TOML/JSON files validated into attrs settings by cattrs, with every error placed."""

from fmcore.config.converter import structure, unstructure
from fmcore.config.model import ComponentSpec, Config
from fmcore.config.resolve import DEFAULT_NAMES, load_config, resolve
from fmcore.config.sources import apply_overrides, parse_value, read_config_file
from fmcore.config.train import TrainSettings

__all__ = [
    "DEFAULT_NAMES",
    "ComponentSpec",
    "Config",
    "TrainSettings",
    "apply_overrides",
    "load_config",
    "parse_value",
    "read_config_file",
    "resolve",
    "structure",
    "unstructure",
]
