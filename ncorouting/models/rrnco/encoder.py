"""RRNCO's encoder: attention-free layers (AAFM) between the row and column streams, each biased by a
neural adaptive bias (NAB) learned from distance, angle and (with time windows) duration per node pair.
Written here because rl4co has no matrix-biased attention-free layer."""

from __future__ import annotations

import torch
from tensordict import TensorDict
from torch import nn

from ncorouting.models.rrnco.embedding import AdaptiveNodeEmbedding
from ncorouting.models.rrnco.features import RRNCOInputs, rrnco_inputs


class NeuralAdaptiveBias(nn.Module):
    """A [B, n, n] attention bias from scalar pair channels: each channel -> Linear(1, d) -> ReLU ->
    Linear(d, d); two channels fused by a sigmoid gate, three by a softmax gate with a learned
    temperature (initialised nearly uniform); then Linear(d, 1)."""

    def __init__(self, dim: int, channels: int):
        super().__init__()
        self.channels = channels
        self.embed = nn.ModuleList(
            nn.Sequential(nn.Linear(1, dim), nn.ReLU(), nn.Linear(dim, dim)) for _ in range(channels)
        )
        if channels == 2:
            self.gate = nn.Linear(2 * dim, 1)
        else:
            self.gate = nn.Sequential(nn.Linear(channels * dim, dim), nn.ReLU(), nn.Linear(dim, channels))
            self.log_temperature = nn.Parameter(torch.tensor(5.0))
        self.out = nn.Linear(dim, 1)

    def forward(self, pairs: list[torch.Tensor]) -> torch.Tensor:
        emb = [f(x[..., None]) for f, x in zip(self.embed, pairs, strict=True)]
        both = torch.cat(emb, -1)
        if self.channels == 2:
            g = torch.sigmoid(self.gate(both))
            fused = g * emb[0] + (1 - g) * emb[1]
        else:
            g = torch.softmax(self.gate(both) / self.log_temperature.exp(), -1)
            fused = sum(g[..., c : c + 1] * emb[c] for c in range(self.channels))
        return self.out(fused).squeeze(-1)


def attention_free(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """AFT with a pair bias: sigmoid(Q) * [exp(A) (exp(K) * V)] / [exp(A) exp(K)], computed with the
    row maximum of A and the column maximum of K taken out (they cancel in the ratio)."""
    weights = (bias - bias.amax(-1, keepdim=True)).exp()  # [B, n, m]
    keys = (k - k.amax(1, keepdim=True)).exp()  # [B, m, E]
    return torch.sigmoid(q) * (weights @ (keys * v)) / (weights @ keys).clamp_min(1e-30)


class InstanceNorm(nn.Module):
    """Instance normalisation over the nodes of [B, n, E] (affine, as POMO's encoder)."""

    def __init__(self, embed_dim: int):
        super().__init__()
        self.norm = nn.InstanceNorm1d(embed_dim, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x.transpose(1, 2)).transpose(1, 2)


class AAFMBlock(nn.Module):
    """One stream's update: its nodes query the other stream through AFT, biased by a NAB of its matrices."""

    def __init__(self, embed_dim: int, feedforward: int, bias_dim: int, channels: int):
        super().__init__()
        self.bias = NeuralAdaptiveBias(bias_dim, channels)
        self.alpha = nn.Parameter(torch.tensor(1.0))
        self.q, self.k, self.v = (nn.Linear(embed_dim, embed_dim) for _ in range(3))
        self.project = nn.Linear(embed_dim, embed_dim)
        self.norms = nn.ModuleList(InstanceNorm(embed_dim) for _ in range(5))
        self.ffn = nn.Sequential(nn.Linear(embed_dim, feedforward), nn.ReLU(), nn.Linear(feedforward, embed_dim))

    def forward(self, own: torch.Tensor, other: torch.Tensor, pairs: list[torch.Tensor]) -> torch.Tensor:
        r, c = self.norms[0](own), self.norms[1](other)
        bias = self.alpha * self.bias(pairs)
        o = self.norms[2](self.project(attention_free(self.q(r), self.k(c), self.v(c), bias)))
        x = self.norms[3](r + o)
        return self.norms[4](x + self.ffn(x))


class RRNCOEncoder(nn.Module):
    """Adaptive node embedding, then `num_layers` AAFM layers (a row block on D, angle (, T) and a column
    block on their transposes, separate weights). Returns (row, column, inputs) for the decoder."""

    def __init__(
        self,
        env_name: str,
        embed_dim: int = 128,
        num_layers: int = 6,
        feedforward_hidden: int = 512,
        num_neighbours: int = 25,
        bias_dim: int | None = None,
    ):
        super().__init__()
        self.env_name = env_name
        node_features = {"atsp": 0, "acvrp": 1, "acvrptw": 4}[env_name]
        channels = 3 if env_name == "acvrptw" else 2
        self.embedding = AdaptiveNodeEmbedding(embed_dim, num_neighbours, node_features)
        bias_dim = bias_dim or embed_dim
        self.row_blocks = nn.ModuleList(
            AAFMBlock(embed_dim, feedforward_hidden, bias_dim, channels) for _ in range(num_layers)
        )
        self.col_blocks = nn.ModuleList(
            AAFMBlock(embed_dim, feedforward_hidden, bias_dim, channels) for _ in range(num_layers)
        )

    def forward(self, td: TensorDict) -> tuple[tuple[torch.Tensor, torch.Tensor, RRNCOInputs], None]:
        inputs = rrnco_inputs(td, self.env_name)
        row_pairs = [inputs.dist, inputs.angle] + ([inputs.duration] if inputs.duration is not None else [])
        col_pairs = [m.transpose(1, 2) for m in row_pairs]
        row, col = self.embedding(inputs)
        for row_block, col_block in zip(self.row_blocks, self.col_blocks, strict=True):
            row, col = row_block(row, col, row_pairs), col_block(col, row, col_pairs)
        return (row, col, inputs), None
