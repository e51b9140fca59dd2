"""Distance matrices from coordinates by the TSPLIB conventions (Reinelt 1991, TSPLIB95 documentation),
plus EXACT_2D (unrounded Euclidean) for generated instances."""

from __future__ import annotations

import numpy as np

from ncorouting.errors import InputError

#: Edge-weight conventions computed from coordinates.
COORD_WEIGHT_TYPES = ("EXACT_2D", "EUC_2D", "CEIL_2D", "ATT", "GEO")

#: TSPLIB's GEO constants: its own value of pi and the earth radius in km.
GEO_PI = 3.141592
GEO_RADIUS = 6378.388


def _geo_radians(values: np.ndarray) -> np.ndarray:
    """TSPLIB GEO coordinates are DDD.MM (degrees, minutes): whole degrees plus minutes / 60, in radians."""
    degrees = np.trunc(values)
    minutes = values - degrees
    return GEO_PI * (degrees + 5.0 * minutes / 3.0) / 180.0


def _geo_distances(coords: np.ndarray) -> np.ndarray:
    """TSPLIB GEO: great-circle distance on the idealised sphere, truncated after adding 1 (integer km)."""
    lat, lon = _geo_radians(coords[:, 0]), _geo_radians(coords[:, 1])
    q1 = np.cos(lon[:, None] - lon[None, :])
    q2 = np.cos(lat[:, None] - lat[None, :])
    q3 = np.cos(lat[:, None] + lat[None, :])
    arc = np.arccos(np.clip(0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3), -1.0, 1.0))
    dist = np.trunc(GEO_RADIUS * arc + 1.0)
    np.fill_diagonal(dist, 0.0)
    return dist


def distances_from_coords(coords: np.ndarray, edge_weight_type: str = "EXACT_2D") -> np.ndarray:
    """Distance matrix from [n, 2] coordinates by a TSPLIB convention (EUC_2D rounds each edge to nearest)."""
    if edge_weight_type == "GEO":
        return _geo_distances(coords)
    diff = coords[:, None, :] - coords[None, :, :]
    if edge_weight_type == "ATT":
        rij = np.sqrt((diff**2).sum(-1) / 10.0)
        tij = np.rint(rij)
        return np.where(tij < rij, tij + 1, tij)
    exact = np.sqrt((diff**2).sum(-1))
    if edge_weight_type == "EXACT_2D":
        return exact
    if edge_weight_type == "EUC_2D":
        return np.floor(exact + 0.5)  # TSPLIB nint, not banker's rounding
    if edge_weight_type == "CEIL_2D":
        return np.ceil(exact)
    raise InputError(
        f"EDGE_WEIGHT_TYPE '{edge_weight_type}' is not supported; supported: {', '.join(COORD_WEIGHT_TYPES)}, EXPLICIT"
    )


#: Largest edge weight we accept: solvers scale weights to integers (LKH-3 keeps them in 32-bit ints).
MAX_WEIGHT = 1e9


def first_bad_weight(distances: np.ndarray) -> tuple[int, int] | None:
    """The first (i, j) whose weight is not finite, negative, or above MAX_WEIGHT; None when all are fine."""
    bad = ~np.isfinite(distances) | (distances < 0) | (distances > MAX_WEIGHT)
    if not bad.any():
        return None
    i, j = np.argwhere(bad)[0]
    return int(i), int(j)
