"""Build step of the wheel: copy the repository's `configs/` and `data/` into the package.

The repository keeps both at its root, where users read and edit them; an installed wheel has no
repository, so it carries copies under `ncorouting/_resources/` (`ncorouting.resources` finds either).
Everything else about the package is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
RESOURCE_FOLDERS = ("configs", "data")


class BuildWithResources(build_py):
    """`build_py` that also copies the resource folders into the built package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the repository's folders directly
            return
        target = Path(self.build_lib) / "ncorouting" / "_resources"
        for name in RESOURCE_FOLDERS:
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithResources})
