"""The edge classifier (RouteExplainer's EC, written from the paper's description): a many-to-many
sequence classifier giving every edge of a route an intention, in milliseconds instead of re-solves.

Node encoder: a linear projection and Transformer encoder layers without positional encoding (the
nodes form a set). Edge encoder: Linear([h_source; h_target; Linear(state)]) plus sinusoidal step
encoding. Decoder: Transformer layers over the route's edges with an explicit causal mask (edge t
sees edges 0..t), then a linear layer to the classes. Loss: class-balanced cross-entropy (Cui et al.
2019) with weights (1 - beta) / (1 - beta^n_c) from the batch's class counts.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ncorouting.explain.ec_features import NODE_DIM, STATE_DIM


def sinusoidal(steps: int, dim: int) -> torch.Tensor:
    """[steps, dim] sin/cos encoding of positions 0..steps-1."""
    position = torch.arange(steps, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10_000.0) / dim))
    enc = torch.zeros(steps, dim)
    enc[:, 0::2] = torch.sin(position * freq)
    enc[:, 1::2] = torch.cos(position * freq)
    return enc


def causal_mask(steps: int) -> torch.Tensor:
    """[steps, steps] boolean mask, True above the diagonal: edge t may not attend to later edges."""
    return torch.triu(torch.ones(steps, steps, dtype=torch.bool), diagonal=1)


class EdgeClassifier(nn.Module):
    """Route edges in, intention logits out: `forward(batch)` -> [B, L, num_classes]."""

    def __init__(
        self,
        num_classes: int,
        embed_dim: int = 128,
        num_heads: int = 8,
        node_layers: int = 2,
        edge_layers: int = 2,
        ff_dim: int = 128,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.node_in = nn.Linear(NODE_DIM, embed_dim)

        def layer() -> nn.TransformerEncoderLayer:
            return nn.TransformerEncoderLayer(embed_dim, num_heads, ff_dim, dropout, batch_first=True)

        self.node_encoder = nn.TransformerEncoder(layer(), node_layers, enable_nested_tensor=False)
        self.state_in = nn.Linear(STATE_DIM, embed_dim)
        self.edge_in = nn.Linear(3 * embed_dim, embed_dim)
        self.edge_decoder = nn.TransformerEncoder(layer(), edge_layers, enable_nested_tensor=False)
        self.out = nn.Linear(embed_dim, num_classes)
        self.embed_dim = embed_dim

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        nodes = self.node_encoder(self.node_in(batch["nodes"]), src_key_padding_mask=~batch["node_mask"])
        index = torch.cat([batch["source"], batch["target"]], 1)[..., None].expand(-1, -1, self.embed_dim)
        ends = nodes.gather(1, index)
        steps = batch["source"].size(1)
        source, target = ends[:, :steps], ends[:, steps:]
        edges = self.edge_in(torch.cat([source, target, self.state_in(batch["state"])], -1))
        edges = edges + sinusoidal(steps, self.embed_dim).to(edges.device)
        hidden = self.edge_decoder(
            edges, mask=causal_mask(steps).to(edges.device), src_key_padding_mask=~batch["edge_mask"]
        )
        return self.out(hidden)


def class_balanced_weights(labels: torch.Tensor, num_classes: int, beta: float = 0.99) -> torch.Tensor:
    """Cui et al.'s weights (1 - beta) / (1 - beta^n_c) for the class counts n_c of `labels` (0 for absent classes)."""
    counts = torch.bincount(labels, minlength=num_classes).float()
    weights = (1 - beta) / (1 - beta**counts).clamp(min=1e-12)
    return torch.where(counts > 0, weights, torch.zeros_like(weights))


def class_balanced_loss(logits: torch.Tensor, labels: torch.Tensor, mask: torch.Tensor, beta: float) -> torch.Tensor:
    """Weighted-mean negative log-likelihood over the unpadded edges."""
    flat_logits, flat_labels = logits[mask], labels[mask]
    weights = class_balanced_weights(flat_labels, logits.size(-1), beta)
    return nn.functional.cross_entropy(flat_logits, flat_labels, weight=weights)


def macro_f1(predicted: torch.Tensor, truth: torch.Tensor) -> float:
    """Macro-averaged F1 over the classes present in the truth or the predictions (scikit-learn)."""
    from sklearn.metrics import f1_score

    present = sorted(set(truth.tolist()) | set(predicted.tolist()))
    return float(f1_score(truth.numpy(), predicted.numpy(), labels=present, average="macro", zero_division=0))
