"""PVRP files and CLI: the JSON form round-trips, bad files are refused naming the field (no output
written), `generate` writes one JSON per instance, `solve` prints both objective terms and plots."""

import copy
import json
import re

import numpy as np
import pytest

from ncorouting.cli import main
from ncorouting.errors import InputError
from ncorouting.instance import Instance
from ncorouting.io import read_instance
from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.io.json_files import instance_from_dict, instance_to_dict

GOOD_P = {
    "problem": "pvrp_p",
    "name": "tiny",
    "alpha": 0.2,
    "coords": [[0.5, 0.5], [0.1, 0.2], [0.9, 0.7], [0.2, 0.9]],
    "demands": [0, 3, 5, 4],
    "vehicles": [
        {"capacity": 10, "speed": 1.0, "preferences": [0.9, 0.1, 0.5]},
        {"capacity": 10, "speed": 2.0, "preferences": [0.2, 0.8, 0.5]},
    ],
}
GOOD_ZC = {
    "problem": "pvrp_zc",
    "coords": GOOD_P["coords"],
    "demands": GOOD_P["demands"],
    "vehicles": [{"capacity": 10, "allowed": [1, 2]}, {"capacity": 10, "allowed": [2, 3]}],
}


def test_json_form_round_trips():
    for problem in ("pvrp_p", "pvrp_zc"):
        inst = instances_from_batch(problem, generate_dataset(problem, 1, 8, seed=3, num_agents=4))[0]
        back = instance_from_dict(json.loads(json.dumps(instance_to_dict(inst))), "x.json")
        assert np.allclose(back.distances, inst.distances) and back.allowed_vehicles == inst.allowed_vehicles
        assert back.alpha == inst.alpha and [v.speed for v in back.fleet] == [v.speed for v in inst.fleet]
        assert back.preferences is None if problem == "pvrp_zc" else np.allclose(back.preferences, inst.preferences)
    zc = instance_from_dict(GOOD_ZC, "zc.json")
    assert zc.allowed_vehicles == {1: [0], 3: [1]} and zc.alpha == 0.0


def _with(doc: dict, path: str, value) -> dict:
    doc = copy.deepcopy(doc)
    *parents, last = path.split(".")
    target = doc
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    return doc


BAD = [
    (_with(GOOD_ZC, "vehicles.1.allowed", [2]), "'vehicles[*].allowed': client 3 is allowed to no vehicle"),
    (_with(GOOD_P, "demands", [0, 3, 50, 4]), "'demands': client 2 demands 50, above every vehicle's capacity"),
    (_with(GOOD_P, "vehicles.0.preferences", [0.9, 0.1]), "'vehicles[0].preferences': must have 3 entries, got 2"),
    (_with(GOOD_P, "vehicles.1.speed", -1), "'vehicles[1].speed': must be a positive number, got -1"),
    (_with(GOOD_P, "vehicles.0.preferences", [0.9, 1.5, 0.5]), "'vehicles[0].preferences': must lie in [0, 1]"),
    (_with(GOOD_P, "alpha", 2), "'alpha': must be a number in [0, 1]"),
    (_with(GOOD_P, "vehicles", []), "'vehicles': must be a non-empty list"),
    (_with(GOOD_ZC, "vehicles.0.allowed", [0, 1]), "'vehicles[0].allowed': must be a list of client indices 1..3"),
    (_with(GOOD_ZC, "vehicles.0.preferences", [1, 1, 1]), "'vehicles[0].preferences': applies to pvrp_p"),
    (_with(GOOD_P, "vehicles.0.capacity", "40"), "'vehicles[0].capacity': must be a positive number"),
]


@pytest.mark.parametrize("doc, message", BAD, ids=[m.split("'")[1] for _, m in BAD])
def test_bad_pvrp_json_is_refused_naming_the_field(tmp_path, capsys, doc, message):
    with pytest.raises(InputError) as err:
        instance_from_dict(doc, "bad.json")
    assert message in str(err.value)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "out"
    assert main(["solve", str(path), "--solver", "nearest", "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_generate_then_solve_prints_both_terms(tmp_path, capsys):
    folder = tmp_path / "pvrp"
    assert main(["generate", "--problem", "pvrp_zc", "--size", "8", "--vehicles", "4", "--num-instances", "2",
                 "--out", str(folder)]) == 0  # fmt: skip
    files = sorted(folder.glob("*.json"))
    assert len(files) == 2 and len(read_instance(files[0]).fleet) == 4
    capsys.readouterr()
    assert main(["solve", str(folder), "--solver", "nearest", "--out", str(tmp_path / "sol")]) == 0
    table = capsys.readouterr().out
    assert "travel_time" in table and "preference" in table
    written = json.loads((tmp_path / "sol" / f"{files[0].stem}.nearest.json").read_text())
    assert len(written["vehicles"]) == len(written["routes"]) and written["feasible"]
    assert (tmp_path / "sol" / f"{files[0].stem}.nearest.png").is_file()
    assert main(["generate", "--problem", "tsp", "--vehicles", "3", "--out", str(tmp_path / "x")]) == 2


def test_instance_validation_names_the_field():
    inst = instance_from_dict(GOOD_P, "ok.json")
    base = {k: getattr(inst, k) for k in ("problem", "distances", "coords", "demands", "capacity", "fleet")}
    cases = [
        ({"preferences": np.ones((2, 2)), "alpha": 0.2}, "preferences must have shape (2, 3)"),
        ({"preferences": np.full((2, 3), 2.0), "alpha": 0.2}, "not in [0, 1]"),
        ({"preferences": inst.preferences, "alpha": 1.5}, "alpha must be in [0, 1]"),
        ({"preferences": None, "fleet": None}, "needs a fleet"),
        ({"problem": "pvrp_zc", "preferences": inst.preferences}, "has no preferences and alpha 0"),
        ({"problem": "pvrp_zc", "allowed_vehicles": {2: [0]}, "demands": np.array([0, 3, 20, 4.0])}, "exceeds"),
    ]
    for change, message in cases:
        with pytest.raises(InputError, match=re.escape(message)):
            Instance(**{**base, **change})
