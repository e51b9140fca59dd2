"""`ncorouting realworld`: road networks to city files, instances sampled from them, routes on the map.

ncorouting realworld build --osm FILE.osm[.bz2] --points 1000 --out city.npz [--seed S]
ncorouting realworld sample --city city.npz --problem acvrptw --size 50 --out instances/
ncorouting realworld plot --city city.npz instances/x.json --solvers rrnco hgs:5 --out routes.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ncorouting.cli.common import HelpFormatter, positive_int, positive_number
from ncorouting.errors import InputError


def run_build(args: argparse.Namespace) -> int:
    """Build the city's matrices and write them (only when everything succeeded)."""
    from ncorouting.realworld.city import build_city, save_city

    if not args.out.endswith(".npz"):
        raise InputError("the city file must end in .npz", source=args.out)
    city = build_city(osm=args.osm, place=args.place, num_points=args.points, seed=args.seed, spacing=args.spacing)
    path = save_city(city, args.out)
    info = city.info
    print(
        f"wrote {path}: {city.num_points} points on {info['road_edges']} road edges of {city.name}; "
        f"matrices in {info['matrix_seconds']:.2f} s ({info['load_seconds']:.2f} s to load the roads)"
    )
    print(city.attribution)
    return 0


def run_sample(args: argparse.Namespace) -> int:
    """Sample instances from a city file and write them as JSON (with the map attribution)."""
    from ncorouting.io.json_files import instance_to_dict
    from ncorouting.realworld.city import load_city
    from ncorouting.realworld.instances import sample_instances

    city = load_city(args.city)
    if args.size + (args.problem != "atsp") > city.num_points:
        raise InputError(
            f"the city has {city.num_points} points, too few for {args.problem}{args.size}", source=args.city
        )
    instances = sample_instances(city, args.problem, args.size, args.num_instances, args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for inst in instances:
        path = out / f"{inst.name}.json"
        path.write_text(json.dumps({**instance_to_dict(inst), "attribution": city.attribution}))
        print(f"wrote {path}")
    return 0


def run_plot(args: argparse.Namespace) -> int:
    """Solve one instance with each solver and draw all solutions on the city's map."""
    from ncorouting.bench import parse_solver_spec
    from ncorouting.io import read_instance
    from ncorouting.realworld.city import load_city
    from ncorouting.realworld.maps import plot_on_map
    from ncorouting.solvers import get_solver

    city = load_city(args.city)
    instance = read_instance(args.instance)
    specs = [parse_solver_spec(text) for text in args.solvers]
    solutions = [
        get_solver(spec.name, **spec.solver_options()).solve(instance, spec.time_limit, args.seed) for spec in specs
    ]
    for sol in solutions:
        state = f"{sol.cost:.4f} km" if sol.feasible else f"INFEASIBLE ({sol.reason})"
        print(f"{sol.solver}: {state}, {len(sol.routes)} route(s), {sol.runtime:.2f} s")
    print(f"wrote {plot_on_map(solutions, city.streets, args.out, city.attribution)}")
    return 0 if all(s.feasible for s in solutions) else 1


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "realworld",
        help="road networks (OpenStreetMap) to travel matrices, instances and route maps",
        description=__doc__,
        formatter_class=HelpFormatter,
    )
    actions = p.add_subparsers(dest="action", required=True, help="what to do")

    b = actions.add_parser(
        "build", help="OSM road network -> city file of asymmetric matrices", formatter_class=HelpFormatter
    )
    source = b.add_mutually_exclusive_group(required=True)
    source.add_argument("--osm", help="OpenStreetMap XML extract (.osm or .osm.bz2)")
    source.add_argument("--place", help="place name for osmnx to download (needs internet)")
    b.add_argument("--points", type=positive_int, default=1000, help="points sampled on the roads")
    b.add_argument("--seed", type=int, default=0, help="seed of the point sampling")
    b.add_argument("--spacing", type=positive_number, default=10.0, help="metres between point slots on a road")
    b.add_argument("--out", required=True, help="city file to write (.npz)")
    b.set_defaults(func=run_build)

    s = actions.add_parser("sample", help="instances from a city file, as JSON", formatter_class=HelpFormatter)
    s.add_argument("--city", required=True, help="city file (.npz)")
    s.add_argument("--problem", choices=["atsp", "acvrp", "acvrptw"], default="atsp", help="problem to sample")
    s.add_argument("--size", type=positive_int, default=50, help="cities (ATSP) or clients (ACVRP/ACVRPTW)")
    s.add_argument("--num-instances", type=positive_int, default=1, help="how many instances")
    s.add_argument("--seed", type=int, default=0, help="seed of the instance sampling")
    s.add_argument("--out", required=True, help="folder for the instance files")
    s.set_defaults(func=run_sample)

    m = actions.add_parser(
        "plot", help="solve an instance and draw the routes on the map", formatter_class=HelpFormatter
    )
    m.add_argument("instance", help="instance file sampled from the city")
    m.add_argument("--city", required=True, help="city file (.npz) the instance comes from (for its streets)")
    m.add_argument("--solvers", nargs="+", default=["rrnco", "hgs:5"], help="solver specs as in `bench`")
    m.add_argument("--seed", type=int, default=0, help="solver seed")
    m.add_argument("--out", required=True, help="PNG to write")
    m.set_defaults(func=run_plot)
