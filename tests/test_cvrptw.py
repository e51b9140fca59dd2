"""CVRPTW: Solomon-style generator, environment (Euclidean and matrix times), checker, Solomon files."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from ncorouting.cli import main
from ncorouting.envs.cvrptw.batch import cvrptw_batch, cvrptw_instances
from ncorouting.envs.cvrptw.env import CVRPTWEnv
from ncorouting.envs.cvrptw.generator import CVRPTWGenerator
from ncorouting.errors import InputError
from ncorouting.io import read_instance
from ncorouting.io.solomon import write_solomon_instance
from ncorouting.models.inference import actions_to_routes
from ncorouting.solution import Solution


def generated(count: int, num_loc: int = 20, seed: int = 0, **params) -> list:
    torch.manual_seed(seed)
    return cvrptw_instances(CVRPTWGenerator(num_loc=num_loc, **params)(count))


def random_rollout(env, td, seed: int = 0) -> torch.Tensor:
    """Uniformly random allowed actions until every row is done."""
    g = torch.Generator().manual_seed(seed)
    td = env.reset(td)
    actions = []
    while not bool(td["done"].all()):
        action = torch.multinomial(td["action_mask"].float(), 1, generator=g).squeeze(-1)
        actions.append(action)
        td.set("action", action)
        td = env.step(td)["next"]
    return torch.stack(actions, 1), td


def solomon_like(inst, name: str = "T20"):
    """A generated instance scaled by 100 and rounded inward to Solomon's integers."""
    tw = inst.time_windows * 100
    return dataclasses.replace(
        inst,
        coords=np.rint(inst.coords * 100),
        distances=np.zeros_like(inst.distances),
        time_windows=np.column_stack([np.ceil(tw[:, 0]), np.floor(tw[:, 1])]),
        service_times=inst.service_times * 100,
        name=name,
    )


@pytest.mark.parametrize("distribution", ["random", "clustered", "mixed"])
def test_generator_clients_fit_alone(distribution):
    """Every client of every instance can be served on a route of its own (Solomon's guarantee)."""
    for inst in generated(200, distribution=distribution):
        tw, d = inst.time_windows, inst.distances
        start = np.maximum(d[0, 1:], tw[1:, 0])
        assert (start <= tw[1:, 1] + 1e-6).all()
        assert (start + inst.service_times[1:] + d[1:, 0] <= tw[0, 1] + 1e-6).all()
        assert (tw[1:, 0] <= tw[1:, 1]).all() and inst.coords.min() >= 0 and inst.coords.max() <= 1


def test_random_rollouts_pass_the_checker():
    """1,000 random rollouts: every one feasible for the checker, reward = -cost."""
    env = CVRPTWEnv(generator_params={"num_loc": 20})
    torch.manual_seed(3)
    td = env.generator(1000)
    actions, _ = random_rollout(env, td.clone())
    reward = env.get_reward(env.reset(td.clone()), actions)  # also runs the env's own validity check
    for inst, act, rew in zip(cvrptw_instances(td), actions, reward, strict=True):
        sol = Solution.from_routes(inst, actions_to_routes("cvrptw", act.tolist()), "random", 0.0)
        assert sol.feasible, sol.reason
        assert abs(sol.cost + float(rew)) < 1e-4


def test_travel_time_matrix_drives_the_clock():
    """Random asymmetric travel times up to twice the distances between clients (depot legs unchanged,
    so every client still fits alone): rollouts respect that clock, which the Euclidean one breaks."""
    rng = np.random.default_rng(0)
    insts = generated(300, seed=5)
    factors = rng.uniform(1, 2, (len(insts), 21, 21))
    factors[:, 0, :] = factors[:, :, 0] = 1.0
    slow = [dataclasses.replace(i, durations=i.distances * f) for i, f in zip(insts, factors, strict=True)]
    batch = cvrptw_batch(slow)
    assert "travel_time" in batch.keys()
    actions, _ = random_rollout(CVRPTWEnv(generator_params={"num_loc": 20}), batch.clone(), seed=1)
    for inst, act in zip(slow, actions, strict=True):
        sol = Solution.from_routes(inst, actions_to_routes("cvrptw", act.tolist()), "random", 0.0)
        assert sol.feasible, sol.reason


def test_checker_reports_window_and_horizon():
    inst = generated(1)[0]
    late = dataclasses.replace(inst, time_windows=inst.time_windows.copy())
    late.time_windows[5] = [0.0, 0.0]
    sol = Solution.from_routes(late, [[c] for c in range(1, 21)], "hand", 0.0)
    assert not sol.feasible and "reaches node 5" in sol.reason and "window closes" in sol.reason
    assert Solution.from_routes(inst, [[c] for c in range(1, 21)], "hand", 0.0).feasible
    no_tw = dataclasses.replace(inst, time_windows=None)
    assert "time windows" in Solution.from_routes(no_tw, [[c] for c in range(1, 21)], "hand", 0.0).reason


def test_solomon_round_trip_and_solve(tmp_path, capsys):
    """A Solomon file is read into a cvrptw instance with its fleet, and `solve` takes it."""
    inst = solomon_like(generated(1, num_loc=10)[0], "T10")
    path = write_solomon_instance(tmp_path / "T10.txt", inst)
    back = read_instance(path)
    assert back.problem == "cvrptw" and back.name == "T10" and len(back.fleet) == 10
    np.testing.assert_array_equal(back.time_windows, inst.time_windows)
    assert main(["solve", str(path), "--solver", "ortools", "--time-limit", "0.3", "--out", str(tmp_path)]) == 0
    assert "T10" in capsys.readouterr().out and (tmp_path / "T10.ortools.sol").is_file()


@pytest.mark.parametrize(
    "index, row, message",
    [
        (2, "TRUCKS", "not a Solomon instance file"),
        (12, "        3        10        10       999         0       500        10", "line 13: demand 999"),
        (12, "        3        99        99         1         0         1        10", "line 13: customer 3 cannot"),
    ],
)
def test_solomon_errors_name_the_line(tmp_path, index, row, message):
    inst = solomon_like(generated(1, num_loc=10)[0])
    rows = write_solomon_instance(tmp_path / "x.txt", inst).read_text().splitlines()
    rows[index] = row
    (tmp_path / "x.txt").write_text("\n".join(rows))
    with pytest.raises(InputError, match=message):
        read_instance(tmp_path / "x.txt")


def test_transferred_policy_decodes_like_cvrp_without_windows():
    """The CVRP20 policy moved to CVRPTW (zero weights on the new inputs) takes the same decisions when
    windows never bind and service takes no time."""
    from ncorouting.envs.cvrp.env import CVRPEnv
    from ncorouting.envs.cvrptw.transfer import cvrptw_from_cvrp
    from ncorouting.io.datasets import generate_dataset
    from ncorouting.models.checkpoint import load_policy
    from ncorouting.models.inference import WEIGHTS_DIR, decode

    cvrp_policy, _ = load_policy(WEIGHTS_DIR / "pomo_cvrp20.pt")
    tw_policy, meta = cvrptw_from_cvrp(WEIGHTS_DIR / "pomo_cvrp20.pt")
    assert meta["problem"] == "cvrptw"
    td = generate_dataset("cvrp", 4, 20, seed=2)
    tw = td.clone()
    tw["time_windows"] = torch.tensor([0.0, 100.0]).expand(4, 21, 2).clone()
    tw["service_time"] = torch.zeros(4, 21)
    a, _ = decode(cvrp_policy, CVRPEnv(generator_params={"num_loc": 20}), td, True, 1)
    b, _ = decode(tw_policy, CVRPTWEnv(generator_params={"num_loc": 20}), tw, True, 1)
    assert torch.equal(a, b)


def test_generated_instances_written_as_solomon_files(tmp_path, capsys):
    """`generate --problem cvrptw` writes Solomon files (integer data, windows widened by the rounding)
    that read back with every client servable, and `solve` takes the folder."""
    args = ["generate", "--problem", "cvrptw", "--size", "10", "--num-instances", "3", "--out", str(tmp_path)]
    assert main(args) == 0
    files = sorted(tmp_path.glob("*.txt"))
    assert len(files) == 3 and all(read_instance(f).problem == "cvrptw" for f in files)
    assert main(["solve", str(tmp_path), "--solver", "hgs", "--time-limit", "0.2", "--out", str(tmp_path / "sol")]) == 0
    assert capsys.readouterr().out.count(" yes ") == 3


@pytest.mark.slow
def test_shipped_policy_beats_its_starting_point(tmp_path):
    """The shipped CVRPTW20 POMO policy (trained from the transferred CVRP20 weights) gives checked, feasible
    solutions, cheaper on average than the transferred policy it started from."""
    from ncorouting.envs.cvrptw.transfer import cvrptw_from_cvrp
    from ncorouting.models.checkpoint import save_policy
    from ncorouting.models.inference import WEIGHTS_DIR, NeuralSolver

    start = tmp_path / "start.pt"
    save_policy(start, *cvrptw_from_cvrp(WEIGHTS_DIR / "pomo_cvrp20.pt"))
    instances = generated(16, seed=7)
    shipped = NeuralSolver("pomo").solve_many(instances)
    before = NeuralSolver("pomo", checkpoint=start).solve_many(instances)
    assert all(s.feasible for s in shipped + before)
    assert np.mean([s.cost for s in shipped]) < np.mean([s.cost for s in before])
