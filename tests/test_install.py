"""Installs like a user: a non-editable wheel in a fresh virtual environment, used from another
folder: `demo`, a 2-step `train` and `solve` on a shipped instance work, and write only there."""

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run(args: list, cwd: Path, timeout: int = 900) -> str:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout + proc.stderr


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture
def fresh_env(tmp_path):
    """A virtual-environment folder removed after the test: it holds torch (1.5 GB), and pytest keeps the
    temporary folders of its last three runs."""
    env = tmp_path / "venv"
    yield env
    shutil.rmtree(env, ignore_errors=True)


@pytest.mark.slow
def test_wheel_installs_and_runs_from_any_folder(tmp_path, fresh_env):
    wheels, env, work = tmp_path / "wheels", fresh_env, tmp_path / "work"
    work.mkdir()
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", REPO, "-w", wheels], cwd=tmp_path)
    (wheel,) = wheels.glob("ncorouting-*.whl")
    venv.create(env, with_pip=True)
    python, cli = env / "bin" / "python", env / "bin" / "ncorouting"
    run([python, "-m", "pip", "install", "--quiet", wheel], cwd=tmp_path)
    package = Path(run([python, "-c", "import ncorouting, sys; sys.stdout.write(ncorouting.__file__)"], cwd=work))
    installed_before = files_under(package.parent)

    out = run([cli, "demo", "--time-limit", "0.5"], cwd=work)
    assert "tsp20_demo" in out and "cvrp20_demo" in out and (work / "demo_output" / "demo.png").is_file()
    tiny = ["data.batch_size=4", "data.train_data_size=8", "data.val_data_size=4", "data.val_batch_size=4"]
    run([cli, "train", "experiment=tsp20_pomo", "trainer.max_steps=2", "threads=1", *tiny], cwd=work)
    assert (work / "runs" / "tsp20_pomo" / "policy.pt").is_file()
    shipped = package.parent / "_resources" / "data" / "demo" / "cvrp20_demo.vrp"
    out = run([cli, "solve", shipped, "--out", "sols"], cwd=work)
    assert (work / "sols" / "cvrp20_demo.pomo.sol").is_file() and "cvrp20_demo" in out
    assert files_under(package.parent) == installed_before  # nothing written into site-packages
