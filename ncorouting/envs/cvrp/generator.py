"""CVRP instance generator: rl4co's, i.e. Kool et al.'s conventions (uniform depot and clients,
integer demands 1..9, capacity 30/40/50 for 20/50/100 clients, demands stored divided by capacity).

For sizes without a table entry rl4co takes the nearest size's capacity and logs a warning that tells
a user nothing they asked about; that one message is dropped here, where it arises.
"""

import logging

from rl4co.envs.routing.cvrp.generator import CAPACITIES, CVRPGenerator


class _DropCapacityNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "locations is not defined. Using the closest capacity" not in record.getMessage()


logging.getLogger(CVRPGenerator.__module__).addFilter(_DropCapacityNotice())

__all__ = ["CAPACITIES", "CVRPGenerator"]
