"""The CAMP policy (Hua et al., AAMAS 2025): profiled embeddings, two-stream encoder, communication between
agents and a batched pointer, decoded in parallel (all vehicles move each step)."""

from __future__ import annotations

import torch
from tensordict import TensorDict
from torch import nn

from ncorouting.envs.pvrp.env import objective_terms
from ncorouting.models.camp.decoder import CAMPDecoder
from ncorouting.models.camp.decoding import rollout
from ncorouting.models.camp.encoder import CAMPEncoder


class PVRPPolicyBase(nn.Module):
    """Common forward of the PVRP policies: encode, roll out, score. Subclasses set `sequential` and
    implement `encode(td) -> (cache, embeddings for the invariance loss)` and `logits(td, cache)`."""

    sequential = False

    def __init__(self, env_name: str, embed_dim: int, tanh_clipping: float, train_decode_type: str):
        super().__init__()
        self.env_name = env_name
        self.tanh_clipping = tanh_clipping
        self.train_decode_type = train_decode_type
        # SymNCO's invariance loss compares these projected initial embeddings across augmentations
        self.projection = nn.Sequential(nn.Linear(embed_dim, embed_dim), nn.ReLU(), nn.Linear(embed_dim, embed_dim))

    def forward(
        self,
        td: TensorDict,
        env,
        phase: str = "train",
        decode_type: str | None = None,
        return_actions: bool = True,
        **unused,
    ) -> dict:
        """Roll out `td` (a reset state): reward, log-likelihood, actions [B, m, T], both objective terms."""
        decode_type = decode_type or (self.train_decode_type if phase == "train" else "greedy")
        cache, initial = self.encode(td)
        out = rollout(
            td, env, lambda state: self.logits(state, cache), decode_type, self.tanh_clipping, self.sequential
        )
        final, actions = out.pop("td"), out["actions"]
        travel_time, preference = objective_terms(final, actions)
        out.update(
            reward=env.get_reward(final, actions),
            travel_time=travel_time,
            preference=preference,
            halting_ratio=torch.tensor(out["halting_ratio"]),
        )
        if phase == "train":
            out["proj_embeddings"] = self.projection(initial)
        if not return_actions:
            out.pop("actions")
        return out

    def encode(self, td: TensorDict):
        raise NotImplementedError

    def logits(self, td: TensorDict, cache) -> torch.Tensor:
        raise NotImplementedError


class CAMPPolicy(PVRPPolicyBase):
    """CAMP: H = 128, 8 heads, 3 layers by default (about 1.75M parameters)."""

    def __init__(
        self,
        env_name: str = "pvrp_p",
        embed_dim: int = 128,
        num_heads: int = 8,
        num_encoder_layers: int = 3,
        hidden_dim: int | None = None,
        tanh_clipping: float = 10.0,
        train_decode_type: str = "sampling",
    ):
        super().__init__(env_name, embed_dim, tanh_clipping, train_decode_type)
        hidden_dim = hidden_dim or 4 * embed_dim
        self.encoder = CAMPEncoder(embed_dim, num_heads, num_encoder_layers, hidden_dim)
        self.decoder = CAMPDecoder(embed_dim, num_heads, hidden_dim)

    def encode(self, td: TensorDict):
        h, e0 = self.encoder(td)
        return self.decoder.precompute(h), e0

    def logits(self, td: TensorDict, cache) -> torch.Tensor:
        return self.decoder(td, cache)
