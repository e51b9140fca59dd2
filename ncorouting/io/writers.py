"""Writing instances: TSPLIB/CVRPLIB files (integer EUC_2D coordinates) or our JSON form."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import vrplib

from ncorouting.instance import Instance
from ncorouting.io.json_files import instance_to_dict


def write_instance(folder: str | Path, instance: Instance, fmt: str = "vrplib", scale: float = 1000.0) -> Path:
    """Write `instance` into `folder`. vrplib files get coordinates x `scale`, rounded (EUC_2D)."""
    folder = Path(folder)
    if fmt == "json":
        path = folder / f"{instance.name}.json"
        path.write_text(json.dumps(instance_to_dict(instance)))
        return path
    if instance.problem == "cvrptw":
        from ncorouting.io.solomon import write_scaled_solomon_instance

        return write_scaled_solomon_instance(folder / f"{instance.name}.txt", instance, scale)
    coords = np.rint(instance.coords * scale).astype(np.int64)
    fields = {
        "NAME": instance.name,
        "TYPE": instance.problem.upper(),
        "DIMENSION": instance.num_nodes,
        "EDGE_WEIGHT_TYPE": "EUC_2D",
    }
    sections: dict = {"NODE_COORD_SECTION": coords}
    if instance.problem == "cvrp":
        fields["CAPACITY"] = int(instance.capacity)
        sections["DEMAND_SECTION"] = instance.demands.astype(np.int64)
        sections["DEPOT_SECTION"] = np.array([1])
    path = folder / f"{instance.name}.{'vrp' if instance.problem == 'cvrp' else 'tsp'}"
    vrplib.write_instance(path, {**fields, **sections})
    return path
