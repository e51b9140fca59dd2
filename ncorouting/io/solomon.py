"""Solomon VRPTW instance files (`.txt`: R101, C101, RC101, ... and Gehring-Homberger), parsed by vrplib.

Conventions: customer 0 is the depot, its window the horizon; distances and travel times are the
unrounded Euclidean distances (speed 1); service times count at each client; the file's vehicle
number becomes a fleet of that many identical vehicles (an upper bound on the routes).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import vrplib

from ncorouting.errors import InputError
from ncorouting.instance import Instance, Vehicle, distances_from_coords

#: Column headers of a Solomon file's customer table.
HEADER = "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE TIME"


def _customer_line(lines: list[str], customer: int) -> int | None:
    """1-based file line of `customer`'s row in the table, for error messages."""
    inside = False
    for number, line in enumerate(lines, start=1):
        tokens = line.split()
        if tokens[:2] == ["CUST", "NO."]:
            inside = True
        elif inside and tokens and tokens[0] == str(customer):
            return number
    return None


def read_solomon_instance(path: str | Path) -> Instance:
    """Read a Solomon-format file into a `cvrptw` Instance, naming the line of any defect."""
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise InputError("file not found", source=source)
    lines = path.read_text(errors="replace").splitlines()
    try:
        data = vrplib.read_instance(path, instance_format="solomon", compute_edge_weights=False)
    except Exception as exc:  # vrplib raises RuntimeError/ValueError/IndexError on malformed files
        raise InputError(f"not a Solomon instance file ({type(exc).__name__}: {exc})", source=source) from None
    table = np.column_stack([data["node_coord"], data["demand"], data["time_window"], data["service_time"]]).astype(
        np.float64
    )
    if table.ndim != 2 or table.shape[0] < 2:
        raise InputError("the customer table needs the depot (customer 0) and at least one client", source=source)
    coords, demands = table[:, 0:2], table[:, 2]
    windows, service = table[:, 3:5], table[:, 5]
    capacity, vehicles = float(data["capacity"]), int(data["vehicles"])

    def fail(message: str, customer: int) -> None:
        raise InputError(message, source=source, line=_customer_line(lines, customer))

    if vehicles < 1 or capacity <= 0:
        raise InputError(f"VEHICLE NUMBER and CAPACITY must be positive: {vehicles}, {capacity:g}", source=source)
    if demands[0] != 0:
        fail(f"the depot (customer 0) must have demand 0, got {demands[0]:g}", 0)
    for k in range(len(table)):
        if (table[k] < 0).any():
            fail(f"customer {k} has a negative entry: {table[k].tolist()}", k)
        if demands[k] > capacity:
            fail(f"demand {demands[k]:g} of customer {k} exceeds the vehicle capacity {capacity:g}", k)
        if windows[k, 0] > windows[k, 1]:
            fail(f"customer {k}: READY TIME {windows[k, 0]:g} is after DUE DATE {windows[k, 1]:g}", k)
    distances = distances_from_coords(coords)
    for k in range(1, len(table)):  # each client must fit on a route of its own
        start = max(windows[0, 0] + distances[0, k], windows[k, 0])
        back = start + service[k] + distances[k, 0]
        if start > windows[k, 1] or back > windows[0, 1]:
            fail(
                f"customer {k} cannot be served even on a route of its own (service from {start:g}, due "
                f"{windows[k, 1]:g}; back at the depot at {back:.4g}, horizon {windows[0, 1]:g})",
                k,
            )
    return Instance(
        problem="cvrptw",
        distances=distances,
        coords=coords,
        demands=demands,
        capacity=capacity,
        name=str(data["name"]).strip() or path.stem,
        edge_weight_type="EXACT_2D",
        source=source,
        time_windows=windows,
        service_times=service,
        fleet=[Vehicle(capacity=capacity)] * vehicles,
    )


def write_solomon_instance(path: str | Path, instance: Instance) -> Path:
    """Write a CVRPTW instance in Solomon's format (integer data only, as the format has)."""
    path = Path(path)
    service = instance.service_times if instance.service_times is not None else np.zeros(instance.num_nodes)
    table = np.column_stack([instance.coords, instance.demands, instance.time_windows, service])
    if not np.allclose(table, np.rint(table)):
        raise InputError("Solomon files hold integers: scale and round the instance first", source=str(path))
    vehicles = instance.num_clients if instance.fleet is None else len(instance.fleet)
    capacity = instance.capacity if instance.fleet is None else instance.fleet[0].capacity
    rows = [" ".join(f"{int(v):>9d}" for v in (k, *np.rint(row))) for k, row in enumerate(table)]
    text = [instance.name, "", "VEHICLE", "NUMBER     CAPACITY", f"{vehicles:>6d} {int(math.floor(capacity)):>12d}", ""]
    path.write_text("\n".join([*text, "CUSTOMER", HEADER, "", *rows, ""]))
    return path


def write_scaled_solomon_instance(path: str | Path, instance: Instance, scale: float) -> Path:
    """Write a float CVRPTW instance (e.g. generated in the unit square) as a Solomon file: coordinates,
    times and service x `scale` rounded to integers, windows widened outward by the rounding (2 units) so
    that every client still fits on a route of its own."""
    tw = instance.time_windows * scale
    windows = np.column_stack([np.maximum(np.floor(tw[:, 0]) - 2, 0), np.ceil(tw[:, 1]) + 2])
    windows[0, 1] += 2  # the horizon also covers the widened windows' returns
    service = instance.service_times if instance.service_times is not None else np.zeros(instance.num_nodes)
    scaled = dataclasses.replace(
        instance,
        coords=np.rint(instance.coords * scale),
        time_windows=windows,
        service_times=np.rint(service * scale),
        durations=None,
    )
    return write_solomon_instance(path, scaled)
