"""Help and noise: every argument of every subcommand explains itself; `--version`; quiet training."""

import argparse
import subprocess
import sys

import pytest

from ncorouting.cli import build_parser, main


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_argument_of_every_subcommand_has_help():
    for name, sub in _subparsers(build_parser()).items():
        for action in sub._actions:
            assert action.help and action.help != argparse.SUPPRESS, f"{name} {action.dest} has no help line"
            if action.default not in (None, False, argparse.SUPPRESS) and action.option_strings:
                assert "default" in sub.formatter_class("x")._get_help_string(action), f"{name} {action.dest}"
            if action.choices and not isinstance(action, argparse._SubParsersAction):
                assert "{" in sub.format_usage(), f"{name} {action.dest} hides its choices"


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("ncorouting ")


def test_train_help_lists_the_experiments(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    assert "experiments (experiment=NAME):" in out and "tsp20_pomo" in out and "cvrp20_pomo" in out


@pytest.mark.slow
def test_training_prints_no_third_party_noise(tmp_path):
    """rl4co's capacity notice (no table entry for 13 clients) and Lightning's tips stay silent."""
    proc = subprocess.run(
        [sys.executable, "-m", "ncorouting", "train", "experiment=cvrp20_pomo", "env.generator.num_loc=13",
         "data.batch_size=4", "data.train_data_size=8", "data.val_data_size=4", "data.val_batch_size=4",
         "trainer.max_steps=1", f"output_dir={tmp_path}", "threads=1"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = proc.stdout + proc.stderr
    for noise in (
        "is not defined. Using the closest capacity",
        "Tip:",
        "GPU available",
        "is an instance of `nn.Module`",
    ):
        assert noise not in text, noise
    assert "exported policy to" in text
