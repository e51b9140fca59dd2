"""The RRNCO policy (Son et al., 2025, "Neural Combinatorial Optimization for Real-World Routing") for
ATSP, ACVRP and ACVRPTW on rl4co's autoregressive policy: our encoder and decoder, rl4co's decoding."""

from __future__ import annotations

from rl4co.models.common.constructive.autoregressive import AutoregressivePolicy

from ncorouting.models.rrnco.decoder import RRNCODecoder
from ncorouting.models.rrnco.encoder import RRNCOEncoder

PROBLEMS = ("atsp", "acvrp", "acvrptw")


class RRNCOPolicy(AutoregressivePolicy):
    """Adaptive node embedding + AAFM encoder with neural adaptive bias + distance-aware pointer decoder.

    Defaults are the paper's (E 128, 6 layers, FF 512, 8 heads, 25 neighbours, tanh clip 10);
    `bias_dim` is the width of the pair-bias MLPs (default E), the dominant cost on a CPU.
    """

    def __init__(
        self,
        env_name: str = "atsp",
        embed_dim: int = 128,
        num_encoder_layers: int = 6,
        num_heads: int = 8,
        feedforward_hidden: int = 512,
        num_neighbours: int = 25,
        bias_dim: int | None = None,
        tanh_clipping: float = 10.0,
        train_decode_type: str = "sampling",
        val_decode_type: str = "greedy",
        test_decode_type: str = "greedy",
    ):
        if env_name not in PROBLEMS:
            raise ValueError(f"RRNCO handles {', '.join(PROBLEMS)}, not '{env_name}'")
        super().__init__(
            encoder=RRNCOEncoder(env_name, embed_dim, num_encoder_layers, feedforward_hidden, num_neighbours, bias_dim),
            decoder=RRNCODecoder(env_name, embed_dim, num_heads),
            env_name=env_name,
            tanh_clipping=tanh_clipping,
            train_decode_type=train_decode_type,
            val_decode_type=val_decode_type,
            test_decode_type=test_decode_type,
        )
