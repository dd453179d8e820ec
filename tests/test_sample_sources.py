"""``fmcore sample`` and ``fmcore likelihood`` on any model: a trained run or an oracle config, with
every registered integrator, integrator settings by ``--set``, and labels with guidance."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

import fmcore
from fmcore.cli import cli
from fmcore.plugin_manager import get_registry

ORACLE = "examples/oracle-gmm.toml"
MIXTURE_MEAN = np.array([0.0, 1.0])  # weights 1/4, 1/4, 1/2 on (−2, 0), (2, 0), (0, 2)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _steps(name: str) -> list[str]:
    settings = fmcore.create("integrator", name)
    return ["--steps", "20"] if hasattr(settings, "steps") else []


@pytest.mark.parametrize("name", [c.name for c in get_registry().all("integrator")])
def test_every_integrator_samples_an_oracle_config_from_the_cli(name, tmp_path):
    out = tmp_path / "x.npy"
    result = run("sample", ORACLE, "-n", "2000", "-o", str(out), "--integrator", name, *_steps(name))
    assert result.exit_code == 0, result.output
    x = np.load(out)
    assert x.shape == (2000, 2) and np.isfinite(x).all()
    assert np.abs(x.mean(0) - MIXTURE_MEAN).max() < 0.15, f"{name}: mean {x.mean(0)}"


def test_set_tunes_the_integrator_chosen_by_name(tmp_path):
    """``--integrator`` replaces the config's integrator table; ``--set integrator.*`` then tunes it."""
    def draw(*args: str) -> np.ndarray:
        result = run("sample", ORACLE, "-n", "64", "--seed", "3", "-o", str(tmp_path / "x.npy"), *args)
        assert result.exit_code == 0, result.output
        return np.load(tmp_path / "x.npy")

    em = ("--integrator", "euler-maruyama", "--steps", "10")
    assert np.array_equal(draw(*em, "--set", "integrator.diffusion.name=zero", "--set",
                               "integrator.denoise_final=false"),
                          draw("--integrator", "euler", "--steps", "10"))  # probability flow = Euler
    assert not np.array_equal(draw(*em, "--set", "integrator.diffusion.name=sigma"), draw(*em))
    bad = run("sample", ORACLE, "-n", "8", "-o", str(tmp_path / "x.npy"), "--integrator", "dopri5",
              "--steps", "3")
    assert bad.exit_code == 1 and "$.integrator.steps: unknown setting" in bad.output


def test_a_trained_run_samples_with_every_integrator_and_keeps_its_model(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[data]\nname = "moons"\nn = 256\n[network]\nname = "mlp"\nwidth = 16\n'
                   '[train]\nsteps = 3\nlog_every = 3\n')
    assert run("train", str(cfg), "--out", str(tmp_path / "run")).exit_code == 0
    for component in get_registry().all("integrator"):
        result = run("sample", str(tmp_path / "run"), "-n", "8", "-o", str(tmp_path / "x.npy"),
                     "--integrator", component.name, *_steps(component.name))
        assert result.exit_code == 0, f"{component.name}: {result.output}"
        assert np.isfinite(np.load(tmp_path / "x.npy")).all()
    fixed = run("sample", str(tmp_path / "run"), "-n", "8", "-o", str(tmp_path / "x.npy"),
                "--set", "network.width=32")
    assert fixed.exit_code == 1
    assert "--set network.width=32: a trained run can change only its integrator" in fixed.output
    assert "Traceback" not in fixed.output


def test_sampling_an_untrained_config_is_refused(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[data]\nname = "moons"\nn = 64\n[network]\nname = "mlp"\nwidth = 8\n')
    result = run("sample", str(cfg), "-n", "8", "-o", str(tmp_path / "x.npy"))
    assert result.exit_code == 1
    assert f"{cfg}: network 'mlp' is untrained; train it" in result.output


def test_labels_need_a_conditional_model(tmp_path):
    out = str(tmp_path / "x.npy")
    no_classes = run("sample", ORACLE, "-n", "8", "-o", out, "--label", "1")
    assert no_classes.exit_code == 1 and "--label 1: the model is not class-conditional" in no_classes.output
    no_label = run("sample", ORACLE, "-n", "8", "-o", out, "--guidance", "2")
    assert no_label.exit_code == 1 and "--guidance needs --label" in no_label.output


def test_likelihood_of_an_oracle_config(tmp_path):
    points = tmp_path / "p.npy"
    np.save(points, np.array([[0.0, 2.0], [8.0, -8.0]]))
    result = run("likelihood", ORACLE, "--data", str(points), "--integrator", "dopri5",
                 "-o", str(tmp_path / "logp.npy"))
    assert result.exit_code == 0, result.output
    log_p = np.load(tmp_path / "logp.npy")
    assert log_p[0] > log_p[1] + 10


def test_an_integrator_named_with_steps_is_built_once_per_name_and_steps():
    pipe = fmcore.Pipeline.open(ORACLE)
    heun = pipe.integrator_for("heun", 7)
    assert (type(heun).__name__, heun.steps) == ("Heun", 7)
    assert pipe.integrator_for("heun", 7) is heun
    assert pipe.integrator_for("heun", 8).steps == 8
    assert pipe.integrator_for(None, 5).steps == 5 and pipe.integrator_for(None, None) is pipe.integrator
    one = pipe.sample(256, integrator="heun", steps=7, seed=1)
    assert np.array_equal(one.numpy(), pipe.sample(256, integrator="heun", steps=7, seed=1).numpy())
