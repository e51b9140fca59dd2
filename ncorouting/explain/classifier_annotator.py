"""Edge intentions from a trained edge classifier (milliseconds for many solutions), the fast
stand-in for the rule annotator. Shipped classifiers: `ncorouting/weights/ec_<problem><size>.pt`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from ncorouting.errors import CheckpointError
from ncorouting.explain.classifier import EdgeClassifier
from ncorouting.explain.ec_features import collate, node_features, route_sample
from ncorouting.explain.ec_train import FORMAT
from ncorouting.solution import Solution

WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"


def shipped_classifier(problem: str) -> Path:
    """The shipped edge classifier of a problem."""
    found = sorted(WEIGHTS_DIR.glob(f"ec_{problem}[0-9]*.pt"))
    if not found:
        raise CheckpointError(f"no shipped edge classifier for {problem} in {WEIGHTS_DIR}; use the rule annotator")
    return found[0]


def load_classifier(path: str | Path, problem: str | None = None) -> tuple[EdgeClassifier, dict]:
    """A classifier and its metadata; refuse a file of another format or problem."""
    path = Path(path)
    try:
        blob = torch.load(path, map_location="cpu", weights_only=False)
    except (OSError, RuntimeError, EOFError) as exc:
        raise CheckpointError(f"{path}: not a readable edge classifier ({exc})") from None
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not an ncorouting edge classifier (no '{FORMAT}' metadata)")
    if problem is not None and blob["problem"] != problem:
        raise CheckpointError(f"{path}: edge classifier for '{blob['problem']}', not '{problem}'")
    model = EdgeClassifier(len(blob["classes"]), **blob["model_kwargs"])
    try:
        model.load_state_dict(blob["state_dict"])
    except RuntimeError:
        raise CheckpointError(
            f"{path}: its weights do not fit this version's edge classifier (trained on other input features); "
            "retrain it with `python -m ncorouting.explain.ec_train`"
        ) from None
    return model.eval(), blob


class ClassifierAnnotator:
    """Labels every edge with the classifier's most likely intention, batched over all routes."""

    name = "classifier"

    def __init__(self, paths: dict[str, str | Path] | None = None, batch_size: int = 512):
        self.paths = dict(paths or {})
        self.batch_size = batch_size
        self._models: dict[str, tuple[EdgeClassifier, dict]] = {}

    def model_for(self, problem: str) -> tuple[EdgeClassifier, dict]:
        """Load (once) the classifier of a problem."""
        if problem not in self._models:
            self._models[problem] = load_classifier(self.paths.get(problem) or shipped_classifier(problem), problem)
        return self._models[problem]

    def annotate(self, solution: Solution) -> list[list[str]]:
        """One label per edge of each route."""
        return self.annotate_many([solution])[0]

    @torch.inference_mode()
    def annotate_many(self, solutions: Sequence[Solution]) -> list[list[list[str]]]:
        """Labels for many solutions at once."""
        samples, owners = [], []
        for k, solution in enumerate(solutions):
            nodes = node_features(solution.instance)
            vehicles = solution.vehicles or [None] * len(solution.routes)
            for route, vehicle in zip(solution.routes, vehicles, strict=True):
                samples.append((solution.instance.problem, route_sample(solution.instance, route, vehicle, nodes)))
                owners.append(k)
        labels: list[list[str]] = [None] * len(samples)
        for problem in {p for p, _ in samples}:
            model, meta = self.model_for(problem)
            rows = [i for i, (p, _) in enumerate(samples) if p == problem]
            for start in range(0, len(rows), self.batch_size):
                chunk = rows[start : start + self.batch_size]
                batch = collate([samples[i][1] for i in chunk])
                predicted = model(batch).argmax(-1)
                for j, i in enumerate(chunk):
                    length = int(batch["edge_mask"][j].sum())
                    labels[i] = [meta["classes"][c] for c in predicted[j, :length].tolist()]
        out: list[list[list[str]]] = [[] for _ in solutions]
        for owner, route_labels in zip(owners, labels, strict=True):
            out[owner].append(route_labels)
        return out
