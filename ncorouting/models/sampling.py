"""Categorical sampling by inverse CDF, for every decoder that samples (rl4co's and CAMP's).

torch.multinomial is what rl4co samples each decoding step with, and on this CPU it is about 15x slower than
inverse-CDF sampling at the decoders' shapes (one thread: 4.4 ms against 0.3 ms for 2,020 rows of 101
probabilities, POMO's rollouts of 10 CVRP100 instances x 2 augmentations), a fifth of an EAS iteration at
CVRP100. rl4co has no option for another sampler, so `install_in_rl4co` replaces its sampling function."""

from __future__ import annotations

import torch
from rl4co.utils.decoding import DecodingStrategy


def sample_categorical(probs: torch.Tensor) -> torch.Tensor:
    """One index per row of `probs` [..., N] (non-negative, no row all zero), drawn with probability
    proportional to its entry; an entry of zero is never drawn."""
    cdf = probs.float().cumsum(-1)  # half-precision sums would drift from the probabilities
    # a uniform draw in (0, total]: the first index whose cumulative sum reaches it; a zero entry repeats its
    # left neighbour's sum, so it is never the first to reach anything
    draw = (1 - torch.rand(cdf.shape[:-1] + (1,), device=cdf.device, dtype=cdf.dtype)) * cdf[..., -1:]
    return torch.searchsorted(cdf, draw).squeeze(-1)


def _sample_logprobs(logprobs: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """rl4co's `DecodingStrategy.sampling` contract: an action per row of log-probabilities [B, N]."""
    selected = sample_categorical(logprobs.exp())
    if mask is not None and not mask.gather(1, selected.unsqueeze(-1)).all():
        raise RuntimeError("sampled an action the mask forbids: a row of the policy's probabilities is invalid")
    return selected


def install_in_rl4co() -> None:
    """Make rl4co's decoders (POMO, AM, SymNCO, EAS, ...) sample with `sample_categorical`."""
    DecodingStrategy.sampling = staticmethod(_sample_logprobs)
