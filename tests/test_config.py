"""Configs (DESIGN.md section 5): TOML/JSON files validated into settings, every error placed.

Covers unknown names, missing / mistyped / invalid / unknown settings, reporting of every issue at
once, ``--set`` overrides, JSON, unreadable files, the resolved config (canonical names, defaults,
provenance, exact round trip) and the ``fmcore config`` / ``fmcore train`` commands.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import attrs
import pytest
from attrs.validators import gt
from click.testing import CliRunner

import fmcore
from fmcore.config.converter import config_default
from fmcore import ConfigError, ConfigIssue, FmcoreError, get_registry, load_config
from fmcore.cli import cli
from fmcore.config import apply_overrides, parse_value, read_config_file, structure

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "moons.toml"
MOONS = '[data]\nname = "moons"\n'
NET = '[network]\nname = "mlp"\n'
SECTIONS = ("data", "path", "target", "objective", "network", "integrator")
MLP_ACTIVATIONS = "'silu', 'relu', 'gelu', 'selu', 'elu', 'tanh', 'softplus', 'leaky-relu'"


# --------------------------------------------------------------------------------------- helpers


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def config_error(source, overrides=()) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(source, overrides)
    return info.value


def only_issue(error: ConfigError) -> ConfigIssue:
    assert len(error.issues) == 1, error.issues
    return error.issues[0]


def places(error: ConfigError) -> list[str]:
    return [issue.place for issue in error.issues]


def dataset_names() -> str:
    return ", ".join(get_registry().names("dataset"))


# ------------------------------------------------------------------------- unknown component names


def test_unknown_component_name_is_placed_with_suggestion_and_choices(tmp_path):
    path = write(tmp_path, MOONS + '[path]\nname = "condott"\n')
    issue = only_issue(config_error(path))
    assert issue.place == "$.path.name"
    assert "unknown path 'condott'" in issue.message
    assert "did you mean 'condot'?" in issue.message
    available = ", ".join(fmcore.get_registry().names("path"))
    assert f"(available: {available})" in issue.message and "vp" in available


def test_unknown_dataset_lists_every_available_dataset():
    issue = only_issue(config_error({"data": {"name": "moon"}}))
    assert issue.place == "$.data.name"
    assert issue.message == (
        f"unknown dataset 'moon'; did you mean 'moons'? (available: {dataset_names()})"
    )
    for name in ("moons", "circles", "8gaussians", "npy"):
        assert name in issue.message


def test_unknown_name_far_from_every_choice_has_no_suggestion():
    issue = only_issue(config_error({"data": {"name": "moons"}, "integrator": {"name": "zzzz"}}))
    assert issue.place == "$.integrator.name"
    assert "unknown integrator 'zzzz'" in issue.message
    assert "did you mean" not in issue.message
    assert "euler" in issue.message and "heun" in issue.message


def test_component_name_must_be_a_string():
    issue = only_issue(config_error({"data": {"name": 3}}))
    assert issue.place == "$.data.name"
    assert "must be a string" in issue.message and "3" in issue.message


def test_qualified_name_with_unknown_distribution_is_unknown():
    issue = only_issue(config_error({"data": {"name": "moons"}, "path": {"name": "other:condot"}}))
    assert issue.place == "$.path.name"
    assert "unknown path 'other:condot'" in issue.message


# ------------------------------------------------------------------------------ missing settings


def test_missing_required_setting(tmp_path):
    path = write(tmp_path, '[data]\nname = "npy"\n')
    assert config_error(path).issues == (ConfigIssue("$.data.path", "required setting is missing"),)


def test_missing_data_table_lists_the_datasets(tmp_path):
    path = write(tmp_path, NET)
    issue = only_issue(config_error(path))
    assert issue.place == "$.data"
    assert "missing table" in issue.message
    assert f"({dataset_names()})" in issue.message


def test_table_without_name(tmp_path):
    path = write(tmp_path, "[data]\nn = 100\n")
    issue = only_issue(config_error(path))
    assert issue.place == "$.data.name"
    assert "missing: which dataset to use" in issue.message
    assert f"({dataset_names()})" in issue.message


def test_section_that_is_not_a_table():
    issue = only_issue(config_error({"data": "moons"}))
    assert issue == ConfigIssue("$.data", "expected a table, got string 'moons'")


def test_left_out_tables_get_the_default_components():
    cfg = load_config({"data": {"name": "moons"}})
    assert {s: cfg.to_dict()[s]["name"] for s in SECTIONS} == {
        "data": "moons", "path": "condot", "target": "velocity", "objective": "cfm",
        "network": "mlp", "integrator": "heun",
    }


# ----------------------------------------------------------------------------------- wrong types


@pytest.mark.parametrize(
    ("toml", "place", "message"),
    [
        (NET + 'width = "wide"', "$.network.width", "expected an integer, got string 'wide'"),
        (NET + "width = 2.5", "$.network.width", "expected an integer, got float 2.5"),
        (NET + "width = 3.0", "$.network.width", "expected an integer, got float 3.0"),
        (NET + "width = true", "$.network.width", "expected an integer, got boolean True"),
        (NET + "width = [64]", "$.network.width", "expected an integer, got array [64]"),
        ('[train]\nlr = "fast"', "$.train.lr", "expected a number, got string 'fast'"),
        ("[train]\nlr = true", "$.train.lr", "expected a number, got boolean True"),
        ('[integrator]\nname = "euler"\nsteps = "10"', "$.integrator.steps",
         "expected an integer, got string '10'"),
    ],
)
def test_wrong_type_is_refused_with_place_and_value(tmp_path, toml, place, message):
    path = write(tmp_path, MOONS + toml + "\n")
    assert config_error(path).issues == (ConfigIssue(place, message),)


def test_string_setting_refuses_a_number():
    error = config_error({"data": {"name": "npy", "path": 3}})
    assert error.issues == (ConfigIssue("$.data.path", "expected a string, got integer 3"),)


@pytest.mark.parametrize(
    ("seed", "shown"), [(-1, "integer -1"), (1.5, "float 1.5"), (True, "boolean True"),
                        ("0", "string '0'")],
)
def test_seed_must_be_a_non_negative_integer(seed, shown):
    issue = only_issue(config_error({"seed": seed, "data": {"name": "moons"}}))
    assert issue == ConfigIssue("$.seed", f"expected a non-negative integer, got {shown}")


def test_float_setting_accepts_an_integer(tmp_path):
    path = write(tmp_path, MOONS + NET + "max_frequency = 500\n[train]\nlr = 1\n")
    cfg = load_config(path)
    assert cfg.train.lr == 1.0 and type(cfg.train.lr) is float
    assert cfg.network.settings.max_frequency == 500.0
    assert type(cfg.network.settings.max_frequency) is float
    assert type(cfg.to_dict()["train"]["lr"]) is float


def test_literal_setting_suggests_the_closest_choice(tmp_path):
    path = write(tmp_path, MOONS + NET + 'activation = "rleu"\n')
    issue = only_issue(config_error(path))
    assert issue.place == "$.network.activation"
    assert issue.message == (
        f"expected one of {MLP_ACTIVATIONS}, got string 'rleu'; did you mean 'relu'?"
    )


@pytest.mark.parametrize(
    ("table", "place", "message"),
    [
        ({"network": {"name": "mlp", "activation": 1}}, "$.network.activation",
         f"expected one of {MLP_ACTIVATIONS}, got integer 1"),
        ({"train": {"device": "gpu"}}, "$.train.device",
         "expected one of 'auto', 'cpu', 'cuda', got string 'gpu'; did you mean 'cpu'?"),
        ({"train": {"device": "metal"}}, "$.train.device",
         "expected one of 'auto', 'cpu', 'cuda', got string 'metal'"),
    ],
)
def test_literal_setting_refuses_other_values(table, place, message):
    error = config_error({"data": {"name": "moons"}, **table})
    assert error.issues == (ConfigIssue(place, message),)


def test_literal_setting_accepts_each_choice():
    cfg = load_config({"data": {"name": "moons"},
                       "network": {"name": "mlp", "activation": "leaky-relu"}})
    assert cfg.network.settings.activation == "leaky-relu"


# ------------------------------------------------------------------------------------ validators


def test_validator_failure_is_placed(tmp_path):
    path = write(tmp_path, MOONS + NET + "width = -3\n")
    issue = only_issue(config_error(path))
    assert issue.place == "$.network.width"
    assert issue.message == "invalid value -3: 'width' must be > 0"


def test_every_validator_failure_in_one_table_is_reported():
    error = config_error({"data": {"name": "moons"},
                          "network": {"name": "mlp", "width": -3, "depth": 0,
                                      "time_embedding_dim": 3}})
    assert error.issues == (
        ConfigIssue("$.network.width", "invalid value -3: 'width' must be > 0"),
        ConfigIssue("$.network.depth", "invalid value 0: 'depth' must be > 0"),
        ConfigIssue("$.network.time_embedding_dim",
                    "invalid value 3: 'time_embedding_dim' must be even"),
    )


def test_every_train_validator_failure_is_reported():
    error = config_error({"data": {"name": "moons"},
                          "train": {"steps": 0, "batch_size": -1, "ema_decay": 1.5}})
    assert sorted(places(error)) == ["$.train.batch_size", "$.train.ema_decay", "$.train.steps"]
    assert all(issue.message.startswith("invalid value") for issue in error.issues)
    assert "'ema_decay' must be < 1.0" in str(error)


def test_type_error_does_not_hide_validator_failures_in_the_same_table():
    error = config_error({"data": {"name": "moons"},
                          "network": {"name": "mlp", "width": "x", "depth": -1}})
    assert sorted(places(error)) == ["$.network.depth", "$.network.width"]


# ------------------------------------------------------------------------------------ extra keys


def test_unknown_setting_suggests_the_closest(tmp_path):
    path = write(tmp_path, MOONS + NET + "widht = 3\n")
    issue = only_issue(config_error(path))
    assert issue.place == "$.network.widht"
    assert issue.message == ("unknown setting; did you mean 'width'? (settings: width, depth, "
                             "activation, time_embedding_dim, max_frequency)")


def test_every_unknown_setting_is_reported():
    error = config_error({"data": {"name": "moons"},
                          "network": {"name": "mlp", "widht": 3, "dpeth": 2}, "train": {"stpes": 10}})
    assert sorted(places(error)) == ["$.network.dpeth", "$.network.widht", "$.train.stpes"]
    by_place = {issue.place: issue.message for issue in error.issues}
    assert "did you mean 'depth'" in by_place["$.network.dpeth"]
    assert "did you mean 'steps'" in by_place["$.train.stpes"]


def test_setting_for_a_component_without_settings():
    issue = only_issue(config_error({"data": {"name": "moons"},
                                     "path": {"name": "condot", "beta_max": 20.0}}))
    assert issue == ConfigIssue("$.path.beta_max", "unknown setting (settings: none)")


def test_unknown_top_level_section(tmp_path):
    path = write(tmp_path, MOONS + "[trian]\nsteps = 10\n")
    issue = only_issue(config_error(path))
    assert issue.place == "$.trian"
    assert issue.message.startswith("unknown section; did you mean 'train'?")
    assert "(sections: seed, data, path, target, objective, network, integrator, train" in issue.message


# -------------------------------------------------------------------- every error, reported at once


BAD_EVERYWHERE = """\
seed = -1

[trian]
steps = 3

[path]
name = "condott"

[network]
name = "mlp"
width = "wide"

[train]
lr = -1
"""
BAD_PLACES = {"$.seed", "$.trian", "$.data", "$.path.name", "$.network.width", "$.train.lr"}


def test_errors_in_different_sections_come_in_one_error(tmp_path):
    path = write(tmp_path, BAD_EVERYWHERE)
    error = config_error(path)
    assert len(error.issues) == len(BAD_PLACES)
    assert set(places(error)) == BAD_PLACES
    assert error.source == str(path)


def test_error_text_has_file_header_and_one_line_per_issue(tmp_path):
    path = write(tmp_path, BAD_EVERYWHERE)
    error = config_error(path)
    lines = str(error).splitlines()
    assert lines[0] == f"{path}: {len(BAD_PLACES)} config errors"
    assert lines[1:] == [f"  {issue.place}: {issue.message}" for issue in error.issues]


def test_single_error_is_one_line_naming_the_file(tmp_path):
    path = write(tmp_path, MOONS + NET + "width = -3\n")
    assert str(config_error(path)) == f"{path}: $.network.width: invalid value -3: 'width' must be > 0"


def test_error_from_a_dict_has_no_source():
    error = config_error({"data": {"name": "moons"}, "network": {"name": "mlp", "width": -3}})
    assert error.source is None
    assert str(error) == "$.network.width: invalid value -3: 'width' must be > 0"


# -------------------------------------------------------------------------------------- --set


def test_overrides_are_applied_before_validation(tmp_path):
    path = write(tmp_path, '[data]\nname = "circles"\n[path]\nname = "condott"\n' + NET)
    cfg = load_config(path, ["path.name=condot", "network.width=64", "train.lr=1e-3",
                             "data.name=moons"])
    assert cfg.path.name == "condot"
    assert cfg.network.settings.width == 64 and type(cfg.network.settings.width) is int
    assert cfg.train.lr == 1e-3 and type(cfg.train.lr) is float
    assert cfg.data.name == "moons"


def test_later_override_wins_and_file_is_not_touched():
    before = EXAMPLE.read_bytes()
    cfg = load_config(EXAMPLE, ["network.width=64", "network.width=32", "seed=7"])
    assert cfg.network.settings.width == 32
    assert cfg.seed == 7
    assert EXAMPLE.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "value"),
    [("15", 15), ("1e-3", 1e-3), ("-2", -2), ("true", True), ("[1, 2]", [1, 2]),
     ('["a", "b"]', ["a", "b"]), ('"moons"', "moons"), ("moons", "moons"),
     ("8gaussians", "8gaussians"), ("data.npy", "data.npy"), ("{a = 1}", {"a": 1})],
)
def test_parse_value(text, value):
    parsed = parse_value(text)
    assert parsed == value
    assert type(parsed) is type(value)


def test_apply_overrides_builds_tables_and_lists_without_changing_the_input():
    raw = {"a": {"b": 1}}
    assert apply_overrides(raw, ["a.c=[1, 2]", "x.y.z=3", " a.b = 5 "]) == {
        "a": {"b": 5, "c": [1, 2]}, "x": {"y": {"z": 3}},
    }
    assert raw == {"a": {"b": 1}}


def test_list_override_reaches_the_setting_as_an_array():
    error = config_error(EXAMPLE, ["network.width=[64, 64]"])
    assert error.issues == (ConfigIssue("$.network.width", "expected an integer, got array [64, 64]"),)


@pytest.mark.parametrize("item", ["novalue", "=3", "a..b=1", "network.=3", ".x=1", " =1"])
def test_malformed_override(item):
    error = config_error(EXAMPLE, [item])
    assert error.issues == (
        ConfigIssue(f"--set {item!r}", "expected KEY.PATH=VALUE, e.g. path.beta_max=15"),
    )
    assert str(error).startswith(f"{EXAMPLE}: --set {item!r}: ")


@pytest.mark.parametrize(
    ("item", "below"), [("seed.x=1", "$.seed"), ("network.width.x=1", "$.network.width")],
)
def test_override_below_a_value(item, below):
    error = config_error(EXAMPLE, [item])
    assert error.issues == (ConfigIssue(f"--set {item!r}", f"{below} is a value, not a table"),)


def test_every_bad_override_is_reported_together():
    items = ["novalue", "=3", "a..b=1", "seed.x=1"]
    error = config_error(EXAMPLE, items)
    assert places(error) == [f"--set {item!r}" for item in items]
    assert str(error).splitlines()[0] == f"{EXAMPLE}: 4 config errors"


@pytest.mark.parametrize(
    ("item", "place", "words"),
    [
        ("network.width=abc", "$.network.width", "expected an integer, got string 'abc'"),
        ("network.widht=3", "$.network.widht", "did you mean 'width'"),
        ("path.name=condott", "$.path.name", "did you mean 'condot'"),
        ("train.ema_decay=1", "$.train.ema_decay", "invalid value 1.0"),
        ("trian.steps=1", "$.trian", "did you mean 'train'"),
    ],
)
def test_bad_value_from_override_is_reported_at_its_place(item, place, words):
    error = config_error(EXAMPLE, [item])
    issue = only_issue(error)
    assert issue.place == place
    assert words in issue.message
    assert str(error).startswith(f"{EXAMPLE}: {place}: ")


def test_overrides_on_a_config_object():
    cfg = load_config(EXAMPLE)
    assert load_config(cfg) is cfg
    changed = load_config(cfg, ["network.width=64"])
    assert changed.network.settings.width == 64
    assert changed != cfg
    assert changed.train == cfg.train


# ----------------------------------------------------------------------------------------- JSON


def test_json_config_loads_like_toml(tmp_path):
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    path = write(tmp_path, json.dumps(raw), "moons.json")
    cfg = load_config(path)
    assert cfg == load_config(EXAMPLE)
    assert cfg.source == str(path)


def test_json_config_errors_match_toml(tmp_path):
    toml_path = write(tmp_path, BAD_EVERYWHERE)
    json_path = write(tmp_path, json.dumps(tomllib.loads(BAD_EVERYWHERE)), "bad.json")
    json_error = config_error(json_path)
    assert json_error.issues == config_error(toml_path).issues
    assert str(json_error).startswith(f"{json_path}: {len(BAD_PLACES)} config errors")


# ------------------------------------------------------------------------------ unreadable files


@pytest.mark.parametrize(
    ("name", "text", "start"),
    [
        ("bad.toml", "[data\nname = 'moons'\n", "invalid TOML: "),
        ("bad.toml", "seed = \n", "invalid TOML: "),
        ("bad.json", "{'data': 1}", "invalid JSON: "),
        ("bad.json", '{"data": {"name": "moons"}', "invalid JSON: "),
        ("list.json", "[1, 2]", "the top level of a config must be a JSON object"),
    ],
)
def test_invalid_file_is_one_line_naming_it(tmp_path, name, text, start):
    path = write(tmp_path, text, name)
    with pytest.raises(FmcoreError) as info:
        load_config(path)
    assert not isinstance(info.value, ConfigError)
    message = str(info.value)
    assert message.startswith(f"{path}: {start}")
    assert "\n" not in message


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(FmcoreError) as info:
        load_config(path)
    assert str(info.value) == f"config file '{path}' does not exist"


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe[data]\nname = 'moons'\n")
    with pytest.raises(FmcoreError) as info:
        read_config_file(path)
    assert str(info.value).startswith(f"{path}")
    assert "\n" not in str(info.value)


# ----------------------------------------------------------------------------- resolved config


@pytest.mark.parametrize(
    ("section", "given", "canonical"),
    [("path", "linear", "condot"), ("path", "rectified-flow", "condot"),
     ("path", "fmcore:condot", "condot"), ("integrator", "rk2", "heun"),
     ("objective", "flow-matching", "cfm"), ("data", "eight-gaussians", "8gaussians")],
)
def test_resolved_config_has_canonical_names(section, given, canonical):
    tables = {"data": {"name": "moons"}, section: {"name": given}}
    cfg = load_config(tables)
    resolved = cfg.to_dict()
    assert resolved[section]["name"] == canonical
    assert resolved["provenance"][section]["name"] == canonical
    assert getattr(cfg, section).name == canonical


def test_resolved_config_fills_in_every_default():
    cfg = load_config({"data": {"name": "moons"}})
    resolved = cfg.to_dict(provenance=False)
    assert set(resolved) == {"seed", *SECTIONS, "train"}
    assert resolved["seed"] == 0
    for spec in cfg.components():
        section = {"dataset": "data"}.get(spec.kind, spec.kind)
        fields = attrs.fields(spec.provided.component.settings)
        assert set(resolved[section]) == {"name", *(f.name for f in fields)}
        for field in fields:
            assert resolved[section][field.name] == config_default(field), (section, field.name)
    assert set(resolved["train"]) == {f.name for f in attrs.fields(fmcore.TrainSettings)}
    assert resolved["network"]["width"] == 256
    assert resolved["integrator"]["steps"] == 100
    assert resolved["train"]["steps"] == 2000
    assert resolved["train"]["device"] == "auto"
    assert resolved["data"]["n"] == 50000


def test_resolved_config_records_provenance():
    cfg = load_config(EXAMPLE)
    provenance = cfg.to_dict()["provenance"]
    assert set(provenance) == {"fmcore", *SECTIONS}
    assert provenance["fmcore"] == fmcore.__version__
    for section in SECTIONS:
        spec = getattr(cfg, section)
        assert provenance[section] == {
            "name": spec.name, "distribution": "fmcore", "version": fmcore.__version__,
            "plugin": spec.provided.plugin,
        }
    assert provenance["network"]["plugin"] == "networks"
    assert "provenance" not in cfg.to_dict(provenance=False)


ROUND_TRIPS = {
    "example": (EXAMPLE, ()),
    "aliases and overrides": (
        {"seed": 3, "data": {"name": "eight-gaussians", "std": 0.2}, "path": {"name": "linear"},
         "integrator": {"name": "rk2", "steps": 7}, "network": {"name": "mlp"},
         "train": {"lr": 1, "device": "cpu"}},
        ["network.activation=gelu", "network.width=32", "train.weight_decay=0"],
    ),
    "npy": ({"data": {"name": "npy", "path": "some/data.npy"},
             "integrator": {"name": "euler"}}, ()),
}


@pytest.mark.parametrize("provenance", [True, False])
@pytest.mark.parametrize("case", list(ROUND_TRIPS))
def test_resolved_toml_rebuilds_the_config_exactly(tmp_path, case, provenance):
    source, overrides = ROUND_TRIPS[case]
    cfg = load_config(source, overrides)
    path = write(tmp_path, cfg.to_toml(provenance=provenance), "resolved.toml")
    again = load_config(path)
    assert again == cfg
    assert again.to_dict() == cfg.to_dict()
    assert again.to_toml() == cfg.to_toml()


def test_resolved_json_rebuilds_the_config_exactly(tmp_path):
    source, overrides = ROUND_TRIPS["aliases and overrides"]
    cfg = load_config(source, overrides)
    path = write(tmp_path, json.dumps(cfg.to_dict()), "resolved.json")
    assert load_config(path) == cfg


def test_config_equality_sees_every_setting():
    cfg = load_config(EXAMPLE)
    assert load_config(EXAMPLE) == cfg
    assert load_config(EXAMPLE, ["network.depth=2"]) != cfg
    assert load_config(EXAMPLE, ["integrator.name=euler", "integrator.steps=50"]) != cfg
    assert load_config(EXAMPLE, ["seed=1"]) != cfg


# ------------------------------------------------------------------- converter, on its own classes


@attrs.frozen
class _Inner:
    width: int = attrs.field(default=1, validator=gt(0))


@attrs.frozen
class _Outer:
    sizes: list[int] = attrs.field(factory=list)
    names: list[str] = attrs.field(factory=list)
    inner: _Inner = attrs.field(factory=_Inner)


def test_structure_places_list_items_and_nested_settings():
    obj, issues = structure({"sizes": [1, "a", 2.5], "inner": {"width": "x", "wdth": 2}},
                            _Outer, "$.thing")
    assert obj is None
    assert issues == [
        ConfigIssue("$.thing.sizes[1]", "expected an integer, got string 'a'"),
        ConfigIssue("$.thing.sizes[2]", "expected an integer, got float 2.5"),
        ConfigIssue("$.thing.inner.width", "expected an integer, got string 'x'"),
        ConfigIssue("$.thing.inner.wdth", "unknown setting; did you mean 'width'? (settings: width)"),
    ]


def test_structure_runs_nested_validators_and_accepts_good_lists():
    obj, issues = structure({"inner": {"width": -1}}, _Outer, "$.thing")
    assert (obj, issues) == (None, [ConfigIssue("$.thing.inner.width",
                                                "invalid value -1: 'width' must be > 0")])
    obj, issues = structure({"sizes": [1, 2], "names": ["a"]}, _Outer, "$.thing")
    assert issues == [] and obj == _Outer(sizes=[1, 2], names=["a"])


@pytest.mark.parametrize("value", ["abc", {"a": 1}])
def test_list_setting_refuses_a_string_or_table(value):
    obj, issues = structure({"names": value}, _Outer, "$.thing")
    assert obj is None
    assert [issue.place for issue in issues] == ["$.thing.names"]
    assert issues[0].message.startswith("expected an array, got ")


# -------------------------------------------------------------------------------------- the CLI


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def no_training(monkeypatch):
    """Make any attempt to build the training pipeline fail the test."""
    import fmcore.cli.run_cmds as run_cmds

    def refuse(*args, **kwargs):
        raise AssertionError("training started despite a bad config")

    monkeypatch.setattr(run_cmds, "Pipeline", refuse)


def assert_user_error(result, lines):
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output
    for line in lines:
        assert line in result.stderr


def test_cli_validate_good_config(runner):
    result = runner.invoke(cli, ["config", "validate", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{EXAMPLE}: ok\n"


def test_cli_validate_bad_config_reports_every_issue(runner, tmp_path):
    path = write(tmp_path, BAD_EVERYWHERE)
    error = config_error(path)
    result = runner.invoke(cli, ["config", "validate", str(path)])
    assert_user_error(result, [f"  {issue}" for issue in error.issues])
    assert result.stderr.startswith(f"Error: {path}: {len(BAD_PLACES)} config errors\n")
    assert "ok" not in result.stdout


def test_cli_validate_with_overrides(runner, tmp_path):
    path = write(tmp_path, MOONS + '[path]\nname = "condott"\n')
    fixed = runner.invoke(cli, ["config", "validate", str(path), "--set", "path.name=condot"])
    assert fixed.exit_code == 0, fixed.output
    broken = runner.invoke(cli, ["config", "validate", str(EXAMPLE), "--set", "novalue",
                                 "--set", "network.width=wide"])
    assert_user_error(broken, [f"Error: {EXAMPLE}: --set 'novalue': expected KEY.PATH=VALUE"])


def test_cli_validate_missing_file(runner, tmp_path):
    path = tmp_path / "nowhere.toml"
    result = runner.invoke(cli, ["config", "validate", str(path)])
    assert_user_error(result, [f"Error: config file '{path}' does not exist"])


def test_cli_show_prints_resolved_toml(runner):
    result = runner.invoke(cli, ["config", "show", str(EXAMPLE), "--set", "network.width=64"])
    assert result.exit_code == 0, result.output
    shown = tomllib.loads(result.stdout)
    assert shown == load_config(EXAMPLE, ["network.width=64"]).to_dict()
    assert shown["network"]["width"] == 64
    assert shown["provenance"]["fmcore"] == fmcore.__version__


def test_cli_show_json(runner):
    result = runner.invoke(cli, ["config", "show", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == load_config(EXAMPLE).to_dict()


def test_cli_show_output_rebuilds_the_config(runner, tmp_path):
    result = runner.invoke(cli, ["config", "show", str(EXAMPLE)])
    path = write(tmp_path, result.stdout, "shown.toml")
    assert load_config(path) == load_config(EXAMPLE)


def test_cli_show_bad_config(runner, tmp_path):
    path = write(tmp_path, MOONS + NET + "widht = 3\n")
    result = runner.invoke(cli, ["config", "show", str(path)])
    assert_user_error(
        result, [f"Error: {path}: $.network.widht: unknown setting; did you mean 'width'?"])
    assert result.stdout == ""


def test_cli_train_bad_config_fails_before_training(runner, tmp_path, no_training):
    path = write(tmp_path, BAD_EVERYWHERE)
    out = tmp_path / "run"
    result = runner.invoke(cli, ["train", str(path), "--out", str(out), "--no-progress"])
    assert_user_error(result, [f"  {issue}" for issue in config_error(path).issues])
    assert not out.exists()


def test_cli_train_bad_override_fails_before_training(runner, tmp_path, no_training):
    out = tmp_path / "run"
    result = runner.invoke(cli, ["train", str(EXAMPLE), "--out", str(out), "--no-progress",
                                 "--set", "seed.x=1", "--set", "train.steps=0"])
    assert_user_error(result, [f"Error: {EXAMPLE}: --set 'seed.x=1': $.seed is a value, not a table"])
    assert not out.exists()
    result = runner.invoke(cli, ["train", str(EXAMPLE), "--out", str(out), "--no-progress",
                                 "--set", "train.steps=0"])
    assert_user_error(
        result, [f"Error: {EXAMPLE}: $.train.steps: invalid value 0: 'steps' must be > 0"])
    assert not out.exists()


def test_cli_error_in_a_real_process_has_no_traceback(tmp_path):
    path = write(tmp_path, BAD_EVERYWHERE)
    error = config_error(path)
    proc = subprocess.run([sys.executable, "-m", "fmcore", "config", "validate", str(path)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"Error: {path}: {len(BAD_PLACES)} config errors",
                                        *(f"  {issue}" for issue in error.issues)]


def test_a_target_without_the_coefficients_keyword_is_refused_in_one_line():
    """A target written against the protocol before ``regression_target`` took ``coefficients``."""
    from fmcore_targets.velocity import VelocityTarget

    class Old(VelocityTarget):
        def regression_target(self, path, z, noise, x_t, t):
            return super().regression_target(path, z, noise, x_t, t)

    fmcore.reset_registry()
    fmcore.register_plugin(type("OldTargets", (), {
        "fmcore_targets": staticmethod(lambda: [fmcore.Component("old", Old)])})(), "old-targets")
    try:
        with pytest.raises(fmcore.ConfigError) as info:
            fmcore.load_config({"data": {"name": "moons"}, "target": {"name": "old"}})
    finally:
        fmcore.reset_registry()
    (issue,) = info.value.issues
    assert issue.place == "$.target.name"
    assert "target 'old': its regression_target lacks the keyword argument 'coefficients'" in issue.message
    assert "\n" not in str(info.value)
