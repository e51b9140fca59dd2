"""Where the package finds its configs and demo instances, in a source checkout and in an installed wheel.

The repository keeps `configs/` and `data/demo/` at its root (the layout users edit). A wheel carries
copies of both under `ncorouting/_resources/`, put there by the build step in `setup.py`; a source or
editable checkout reads the root folders directly, so edits there apply at once.
"""

from __future__ import annotations

from pathlib import Path

from ncorouting.errors import InputError

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_DIR = PACKAGE_DIR / "_resources"
CHECKOUT_DIR = PACKAGE_DIR.parent


def resource_dir(name: str) -> Path:
    """The folder `name` (e.g. "configs", "data/demo"): the checkout's own, else the wheel's copy."""
    for base in (CHECKOUT_DIR, BUNDLED_DIR):
        candidate = base / name
        if candidate.is_dir() and (base is BUNDLED_DIR or (CHECKOUT_DIR / "pyproject.toml").is_file()):
            return candidate
    raise InputError(f"resource folder '{name}' not found beside the package ({CHECKOUT_DIR}) or in it ({BUNDLED_DIR})")


def config_dir() -> Path:
    """The Hydra config folder holding `train.yaml` and its groups."""
    return resource_dir("configs")


def demo_instances() -> list[Path]:
    """The shipped demo instances solved by `ncorouting demo`."""
    demo = resource_dir("data/demo")
    return [demo / "tsp20_demo.tsp", demo / "cvrp20_demo.vrp"]
