"""Memory the ant colony needs, linear in n * k and in the number of ants, checked before a search so
that too many ants is a clear error rather than an out-of-memory crash inside torch."""

from __future__ import annotations

import os

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from ncorouting.errors import InputError

#: Bytes per ant and node: state, step temporaries, stored actions, local-search arrays (about 100) and
#: the pheromone update's edge lookup of k candidates per step (about 24 per neighbour).
BYTES_PER_ANT_NODE = 100
BYTES_PER_ANT_NODE_NEIGHBOUR = 24
#: Bytes per graph edge and embedding unit while the GNN runs (edge features of a few layers alive at once).
BYTES_PER_EDGE_UNIT = 32


def search_bytes(num_nodes: int, k: int, ants: int, embed_dim: int) -> int:
    """Estimated peak bytes of encoding one instance and running `ants` ants on it."""
    per_ant = num_nodes * (BYTES_PER_ANT_NODE + BYTES_PER_ANT_NODE_NEIGHBOUR * k)
    return ants * per_ant + num_nodes * k * embed_dim * BYTES_PER_EDGE_UNIT


def physical_memory() -> int:
    """Bytes of RAM in this machine."""
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def check_ants(ants: int, num_nodes: int, k: int, embed_dim: int, limit: int | None = None) -> None:
    """Refuse an ant count whose search would not fit in `limit` bytes (default: half of the RAM)."""
    if isinstance(ants, bool) or not isinstance(ants, int) or ants < 1:
        raise InputError(f"--ants must be a whole number of at least 1, got {ants}")
    limit = physical_memory() // 2 if limit is None else limit
    need = search_bytes(num_nodes, k, ants, embed_dim)
    if need > limit:
        fits = max(0, (limit - search_bytes(num_nodes, k, 0, embed_dim)) // search_bytes(num_nodes, k, 1, 0))
        raise InputError(
            f"{ants} ants on {num_nodes} nodes (k={k}) need about {need / 2**30:.1f} GiB, more than the "
            f"{limit / 2**30:.1f} GiB allowed; use at most {fits} ants"
        )


def _storages(tree) -> set[int]:
    return {t.untyped_storage().data_ptr() for t in tree_flatten(tree)[0] if isinstance(t, torch.Tensor)}


class LargestTensor(TorchDispatchMode):
    """Records, in `largest`, the element count of the largest tensor any torch operation allocates while
    active (outputs sharing an input's memory, such as views of the instance's own matrix, allocate nothing)."""

    def __init__(self):
        super().__init__()
        self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        given = _storages((args, kwargs))
        for t in tree_flatten(out)[0]:
            if isinstance(t, torch.Tensor) and t.untyped_storage().data_ptr() not in given:
                self.largest = max(self.largest, t.numel())
        return out
