"""Route explainer outputs: edge classifier pieces, LLM text through a local stub, plots, the CLI."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest
import torch
from helpers import small_cvrp

from ncorouting.cli import main
from ncorouting.explain import explain
from ncorouting.explain.classifier import EdgeClassifier, causal_mask, class_balanced_weights
from ncorouting.explain.ec_features import collate, route_sample
from ncorouting.explain.text import SYSTEM_PROMPT, LLMConfig, llm_messages
from ncorouting.instance import Instance
from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.solution import Solution
from ncorouting.solvers import get_solver


@pytest.fixture(scope="module")
def explanation():
    inst = instances_from_batch("cvrp", generate_dataset("cvrp", 1, 12, seed=5))[0]
    sol = get_solver("ortools", solution_limit=30).solve(inst, time_limit=2.0)
    route = sol.routes[0]
    alternative = next(c for c in range(1, 13) if c not in route)
    return explain(inst, sol, route=0, step=1, alternative=alternative, time_limit=2.0, solution_limit=30)


def test_class_balanced_weights_by_hand():
    """Cui et al.: w_c = (1 - beta) / (1 - beta^n_c); counts 3 and 1 with beta 0.99."""
    w = class_balanced_weights(torch.tensor([0, 0, 0, 1]), 3, beta=0.99)
    assert w[0].item() == pytest.approx(0.01 / (1 - 0.99**3))
    assert w[1].item() == pytest.approx(1.0) and w[2].item() == 0.0


def test_classifier_is_causal(explanation):
    """Edge t's logits do not change when later edges change (explicit causal mask)."""
    assert causal_mask(3).tolist() == [[False, True, True], [False, False, True], [False, False, False]]
    torch.manual_seed(0)
    model = EdgeClassifier(2, embed_dim=32, num_heads=4, ff_dim=32).eval()
    sol = explanation.actual
    batch = collate([route_sample(sol.instance, sol.routes[0])])
    changed = {k: v.clone() for k, v in batch.items()}
    changed["state"][:, 2:] += 1.0
    with torch.no_grad():
        a, b = model(batch), model(changed)
    torch.testing.assert_close(a[:, :2], b[:, :2])
    assert not torch.allclose(a[:, 2:], b[:, 2:])


def test_state_places_each_edge_among_the_clients_it_could_visit_next():
    """small_cvrp (capacity 4, demands 2; clients at x = 1, 2, -1, -2, so the length scale is 4): leaving
    the depot for client 2 passes over clients 1 and 3 (distance 1), 2 of the 4 candidates; 2 -> 1 goes to
    the nearest of the three that still fit; then the vehicle is full and no candidate is left."""
    inst = small_cvrp()
    state = route_sample(inst, [2, 1]).state
    assert state[0, 8].item() == pytest.approx(2 / 4) and state[0, 9].item() == pytest.approx(1 / 4)
    assert state[1, 8].item() == 0.0 and state[1, 9].item() == pytest.approx(1 / 4)
    assert state[2, 8].item() == 0.0 and state[2, 9].item() == 0.0  # full: no candidate left, back to the depot


def test_state_says_how_binding_capacity_is():
    """small_cvrp: leaving the depot the four candidates need 8 = 2 loads of 4 (0.5 of the 4-load clip), the
    head and the nearest candidate (client 1) each take half the load; after client 2 the three that fit need 3
    loads of the 2 left and the head takes all of it; a full vehicle has no load left to compare against."""
    state = route_sample(small_cvrp(), [2, 1]).state
    assert state[0, 10:13].tolist() == pytest.approx([0.5, 0.5, 0.5])
    assert state[1, 10:13].tolist() == pytest.approx([0.75, 1.0, 1.0])
    assert state[2, 10:13].tolist() == [0.0, 0.0, 0.0]


def test_state_says_how_urgent_the_head_is():
    """small_cvrp with windows (horizon 20): going first to client 1 (window [5, 6]), one of the four candidates
    closes earlier (client 3, at 4), none has less slack than the head's 1 if visited directly, and the nearest
    candidate (client 1, reached at 1) waits 4 for its window to open."""
    base = small_cvrp()
    windows = np.array([[0, 20], [5, 6], [0, 20], [0, 4], [0, 20]], dtype=float)
    inst = Instance(
        "cvrptw", base.distances, coords=base.coords, demands=base.demands, capacity=base.capacity,
        time_windows=windows, service_times=np.zeros(5), name="line-tw",
    )  # fmt: skip
    state = route_sample(inst, [1]).state
    assert state[0, 3].item() == pytest.approx(1 / 20)
    assert state[0, 13:16].tolist() == pytest.approx([1 / 4, 0.0, 4 / 20])


def test_classifier_of_other_features_is_refused(tmp_path):
    """A classifier file whose weights do not fit the current input features: a clear error, no traceback."""
    from ncorouting.errors import CheckpointError
    from ncorouting.explain.classifier_annotator import load_classifier, shipped_classifier

    blob = torch.load(shipped_classifier("cvrp"), weights_only=False)
    blob["state_dict"]["state_in.weight"] = blob["state_dict"]["state_in.weight"][:, :8]
    torch.save(blob, tmp_path / "old.pt")
    with pytest.raises(CheckpointError, match="do not fit this version"):
        load_classifier(tmp_path / "old.pt", "cvrp")


@pytest.mark.parametrize("problem", ["cvrp", "cvrptw"])
def test_shipped_classifiers_label_every_edge(problem, explanation):
    """Each shipped edge classifier scored well on held-out routes and gives every edge of a solution one of
    its problem's classes."""
    from ncorouting.envs.cvrptw.batch import cvrptw_instances
    from ncorouting.envs.cvrptw.generator import CVRPTWGenerator
    from ncorouting.explain.annotate import intention_classes
    from ncorouting.explain.classifier_annotator import ClassifierAnnotator, load_classifier, shipped_classifier

    _, meta = load_classifier(shipped_classifier(problem), problem)
    assert meta["test_metrics"]["macro_f1"] > 0.5 and meta["test_metrics"]["edges"] > 1000
    if problem == "cvrp":
        solution = explanation.actual
    else:
        torch.manual_seed(2)
        instance = cvrptw_instances(CVRPTWGenerator(num_loc=12)(1))[0]
        solution = get_solver("ortools", solution_limit=30).solve(instance, time_limit=2.0)
    labels = ClassifierAnnotator().annotate(solution)
    assert [len(x) for x in labels] == [len(r) + 1 for r in solution.routes]
    assert {x for route in labels for x in route} <= set(intention_classes(problem))


class ChatStub(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint on 127.0.0.1 that records the request."""

    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ChatStub.requests.append(body)
        reply = {
            "id": "stub",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Stub explanation."}}
            ],
        }
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_llm_text_sends_only_the_facts(explanation, monkeypatch):
    monkeypatch.delenv("NCOROUTING_LLM_BASE_URL", raising=False)
    assert LLMConfig.from_env() is None  # nothing configured: template text, no call
    messages = llm_messages(explanation.facts)
    assert messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert json.loads(messages[1]["content"]) == json.loads(json.dumps(explanation.facts.to_dict()))
    server = HTTPServer(("127.0.0.1", 0), ChatStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = LLMConfig(f"http://127.0.0.1:{server.server_port}/v1", "stub-model", timeout=10)
        assert explanation.text(config) == "Stub explanation."
    finally:
        server.shutdown()
    sent = ChatStub.requests[-1]
    assert sent["model"] == "stub-model" and sent["temperature"] == 0 and sent["messages"] == messages


def test_plots_are_written(explanation, tmp_path):
    explanation.plot(tmp_path / "side_by_side.png")
    explanation.plot_differences(tmp_path / "differences.png")
    assert (tmp_path / "side_by_side.png").stat().st_size > 10_000
    assert (tmp_path / "differences.png").stat().st_size > 5_000


def test_cli_explains_and_refuses_bad_questions(tmp_path, capsys):
    inst = instances_from_batch("cvrp", generate_dataset("cvrp", 1, 10, seed=1))[0]
    path = tmp_path / "c10.vrp"
    lines = ["NAME : c10", "TYPE : CVRP", "DIMENSION : 11", "EDGE_WEIGHT_TYPE : EUC_2D", "CAPACITY : 20"]
    lines += ["NODE_COORD_SECTION", *(f"{i + 1} {x:.0f} {y:.0f}" for i, (x, y) in enumerate(inst.coords * 100))]
    lines += [
        "DEMAND_SECTION",
        *(f"{i + 1} {int(d)}" for i, d in enumerate(inst.demands)),
        "DEPOT_SECTION",
        "1",
        "-1",
        "EOF",
    ]
    path.write_text("\n".join(lines))
    args = ["explain", str(path), "--solver", "ortools", "--time-limit", "0.5", "--resolve-time-limit", "0.5"]
    assert main([*args, "--step", "1", "--alternative", "3", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Why does route 0 go") and "wrote" in out
    facts = json.loads((tmp_path / "out" / "c10.explain.json").read_text())
    assert facts["question"] == {"route": 0, "step": 1, "alternative": 3}
    assert main([*args, "--step", "1", "--alternative", "11"]) == 2
    assert "not a client" in capsys.readouterr().err
    assert main([*args, "--alternative", "3"]) == 2
    assert "--step" in capsys.readouterr().err


def test_explain_accepts_routes_from_elsewhere(explanation):
    """A solution object for another copy of the instance is re-checked on the given one."""
    sol = explanation.actual
    copy = Solution.from_routes(sol.instance, sol.routes, "elsewhere", 0.0)
    twin = type(sol.instance)(**{**vars(sol.instance), "coords": np.array(sol.instance.coords)})
    e = explain(twin, copy, route=0, step=0, alternative=sol.routes[0][0], annotator="none")
    assert e.actual.instance is twin and e.facts.differences["total_cost"] == 0
