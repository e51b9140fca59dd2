"""RRNCO's pointer decoder: rl4co's attention-model decoder with queries from the row stream, keys and
values from the column stream, a residual glimpse with an MLP (no output projection), and a learned
distance term: logits <- log(exp(logits - a * D[cur, :] (- b * T[cur, :])) + 1e-6) before tanh clipping."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from rl4co.models.nn.attention import PointerAttention
from rl4co.models.nn.env_embeddings.context import TSPContext, VRPContext
from rl4co.models.nn.env_embeddings.dynamic import StaticEmbedding
from rl4co.models.zoo.am.decoder import AttentionModelDecoder, PrecomputedCache
from rl4co.utils.ops import unbatchify
from tensordict import TensorDict
from torch import nn

from ncorouting.models.rrnco.features import RRNCOInputs

LOG_FLOOR = math.log(1e-6)
#: State entries the decoder never reads at a step (it keeps its own normalised copies in the cache).
MATRIX_KEYS = ("dist", "cost_matrix", "travel_time", "lonlat")


class RRNCOPointer(PointerAttention):
    """Multi-head masked glimpse over the keys; g = glimpse + query; g = g + MLP(g); logits = g K^T / sqrt(E)."""

    def __init__(self, embed_dim: int, num_heads: int, **kwargs):
        super().__init__(embed_dim, num_heads, **kwargs)
        del self.project_out  # the paper's pointer has no output projection
        self.mlp = nn.Sequential(nn.Linear(embed_dim, 4 * embed_dim), nn.ReLU(), nn.Linear(4 * embed_dim, embed_dim))

    def forward(self, query, key, value, logit_key, attn_mask=None):
        glimpse = self._inner_mha(query, key, value, attn_mask) + query
        glimpse = glimpse + self.mlp(glimpse)
        logits = torch.bmm(glimpse, logit_key.squeeze(-2).transpose(-2, -1)).squeeze(-2)
        return logits / math.sqrt(glimpse.size(-1))


class TimeWindowContext(VRPContext):
    """Query for ACVRPTW: current node's row embedding, remaining load, current time (in units of the
    largest duration, as our batches are), whether a route is open (away from the depot) and the remaining
    distance budget (unlimited here: 10, as in the paper's code)."""

    def __init__(self, embed_dim: int):
        super(VRPContext, self).__init__(embed_dim=embed_dim, step_context_dim=embed_dim + 4)

    def _state_embedding(self, embeddings, td):
        load = td["vehicle_capacity"] - td["used_capacity"]
        open_route = (td["current_node"] != 0).float()
        return torch.cat([load, td["current_time"], open_route, torch.full_like(load, 10.0)], -1)


@dataclass
class RRNCOCache(PrecomputedCache):
    """The attention cache plus the normalised matrices for the distance term."""

    dist: torch.Tensor | None = None
    duration: torch.Tensor | None = None


def rows_at(matrix: torch.Tensor, node: torch.Tensor) -> torch.Tensor:
    """Rows matrix[b, node[b, ...], :] for node [B] or [B, S] (a trailing 1 is dropped): [B, (S,) n]."""
    if node.dim() > 1 and node.size(-1) == 1:
        node = node.squeeze(-1)
    n = matrix.size(-1)
    if node.dim() == 1:
        return matrix.gather(1, node[:, None, None].expand(-1, 1, n)).squeeze(1)
    return matrix.gather(1, node[..., None].expand(*node.shape, n))


class RRNCODecoder(AttentionModelDecoder):
    """Attention-model decoding on RRNCO's two streams, with the learned distance (and duration) term."""

    def __init__(self, env_name: str, embed_dim: int = 128, num_heads: int = 8):
        context = {"atsp": TSPContext, "acvrp": VRPContext, "acvrptw": TimeWindowContext}[env_name](embed_dim)
        super().__init__(
            embed_dim=embed_dim,
            num_heads=num_heads,
            env_name=env_name,
            context_embedding=context,
            dynamic_embedding=StaticEmbedding(),
            use_graph_context=False,
            pointer=RRNCOPointer(embed_dim, num_heads),
        )
        self.dist_weight = nn.Parameter(torch.tensor(1.0))
        self.time_weight = nn.Parameter(torch.tensor(1.0)) if env_name == "acvrptw" else None

    def _precompute_cache(self, embeddings: tuple[torch.Tensor, torch.Tensor, RRNCOInputs], num_starts: int = 0):
        row, col, inputs = embeddings
        glimpse_key, glimpse_val, logit_key = self.project_node_embeddings(col).chunk(3, dim=-1)
        return RRNCOCache(row, 0, glimpse_key, glimpse_val, logit_key, inputs.dist, inputs.duration)

    def forward(self, td: TensorDict, cached: RRNCOCache, num_starts: int = 0):
        node = td["current_node"] if num_starts <= 1 else unbatchify(td["current_node"], num_starts)
        bias = self.dist_weight * rows_at(cached.dist, node)
        if self.time_weight is not None:
            bias = bias + self.time_weight * rows_at(cached.duration, node)
        # the per-step state without the [B, n, n] matrices: the parent reshapes all it is given
        logits, mask = super().forward(td.exclude(*MATRIX_KEYS), cached, num_starts)
        if num_starts > 1:  # bias is [B, S, n]; the parent returns [(S B), n], starts outermost
            bias = bias.transpose(0, 1).reshape(-1, bias.size(-1))
        return torch.logaddexp(logits - bias, torch.full_like(logits, LOG_FLOOR)), mask
