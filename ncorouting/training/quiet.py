"""Silence, while Lightning runs, third-party messages that say nothing to a user."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

#: Lightning and rl4co loggers whose messages here are hardware probes, tips, dataset and set-up notices.
QUIET_LOGGERS = (
    "lightning.pytorch.utilities.rank_zero",
    "rl4co.models.rl.common.base",
    "rl4co.models.zoo.eas.search",
)


@contextmanager
def quiet_third_party() -> Iterator[None]:
    """Lightning's hardware probes and tips, rl4co's notices and save_hyperparameters' nn.Module advice
    are silenced for the duration of the block only."""
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Attribute '\w+' is an instance of `nn.Module`")
        warnings.filterwarnings("ignore", message=r".*treespec, LeafSpec.*")
        warnings.filterwarnings("ignore", message=r"Found \d+ module\(s\) in eval mode")
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
        try:
            yield
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)
