"""Drivable road networks from OpenStreetMap with osmnx, offline: drivable ways only, the largest
strongly connected part (every pair reachable both ways), free-flow speeds and travel times.

Filtering happens before any simplification (merged edges would carry list-valued tags), and the graph
is left unsimplified: every edge is one straight OSM segment, so points can be placed on it linearly.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import osmnx as ox

from ncorouting.errors import InputError

#: Highway types a car may use (OSM `highway=*`).
DRIVABLE = {
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential", "living_street",
    "service", "road", "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link",
}  # fmt: skip
#: Free-flow speeds (km/h) where a way has no usable `maxspeed` (as in the RRNCO offline pipeline).
HIGHWAY_SPEEDS = {
    "motorway": 90.0, "trunk": 70.0, "primary": 60.0, "secondary": 50.0, "tertiary": 40.0, "unclassified": 30.0,
    "residential": 30.0, "living_street": 10.0, "service": 20.0, "road": 30.0, "motorway_link": 60.0,
    "trunk_link": 50.0, "primary_link": 45.0, "secondary_link": 40.0, "tertiary_link": 30.0,
}  # fmt: skip
FALLBACK_SPEED = 30.0
#: Tag values that close a way to cars.
_CLOSED = {"access": {"no", "private"}, "motor_vehicle": {"no"}, "motorcar": {"no"}, "area": {"yes"}}
_CLOSED_SERVICE = {"parking_aisle", "driveway", "parking", "private", "emergency_access"}
_EXTRA_TAGS = ("motor_vehicle", "motorcar")


def _tag(data: dict, key: str) -> str:
    value = data.get(key)
    return str(value).lower() if value is not None else ""


def is_drivable(data: dict) -> bool:
    """Whether an (unsimplified) OSM edge's tags let a car drive it."""
    if _tag(data, "highway") not in DRIVABLE:
        return False
    if any(_tag(data, key) in values for key, values in _CLOSED.items()):
        return False
    return not (_tag(data, "highway") == "service" and _tag(data, "service") in _CLOSED_SERVICE)


def _read_osm(path: Path) -> nx.MultiDiGraph:
    """Every way of an OSM XML file (.osm or .osm.bz2) as an unsimplified graph, with the tags we filter on."""
    if not path.is_file():
        raise InputError("OSM file not found", source=str(path))
    saved = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = sorted({*saved, *_EXTRA_TAGS})
    try:
        return ox.graph_from_xml(path, simplify=False, retain_all=True)
    except Exception as exc:  # osmnx/xml raise many types on a file that is not OSM XML
        raise InputError(f"not a readable OSM XML file ({type(exc).__name__}: {exc})", source=str(path)) from None
    finally:
        ox.settings.useful_tags_way = saved


def _download(place: str) -> nx.MultiDiGraph:
    """osmnx's download of a place's drive network (needs internet; filtered again like a file)."""
    try:
        return ox.graph_from_place(place, network_type="drive_service", simplify=False, retain_all=True)
    except Exception as exc:  # no network, unknown place, ...
        raise InputError(f"could not download the road network ({type(exc).__name__}: {exc})", source=place) from None


def drivable_graph(graph: nx.MultiDiGraph, source: str) -> nx.MultiDiGraph:
    """Drivable edges only, the largest strongly connected part, `speed_kph` and `travel_time` (s) on edges."""
    keep = [(u, v, k) for u, v, k, data in graph.edges(keys=True, data=True) if is_drivable(data)]
    if not keep:
        raise InputError("no drivable road in the network (no highway way open to cars)", source=source)
    drivable = graph.edge_subgraph(keep).copy()
    drivable = ox.truncate.largest_component(drivable, strongly=True)
    if drivable.number_of_edges() == 0:
        raise InputError("the drivable roads hold no two-way reachable part (only dead ends)", source=source)
    drivable = ox.routing.add_edge_speeds(drivable, hwy_speeds=HIGHWAY_SPEEDS, fallback=FALLBACK_SPEED)
    return ox.routing.add_edge_travel_times(drivable)


def load_road_graph(osm: str | Path | None = None, place: str | None = None) -> tuple[nx.MultiDiGraph, str]:
    """The drivable graph of an OSM XML extract (or of a place, downloaded) and the source's name."""
    if (osm is None) == (place is None):
        raise InputError("give exactly one of an OSM file or a place name")
    if osm is not None:
        path = Path(osm)
        return drivable_graph(_read_osm(path), str(path)), path.name
    return drivable_graph(_download(place), place), place
