"""The inverse-CDF sampler that replaces torch.multinomial in rl4co's and CAMP's decoders."""

import pytest
import torch
from rl4co.utils.decoding import DecodingStrategy, decode_logprobs

import ncorouting.models  # noqa: F401  (installs the sampler in rl4co)
from ncorouting.models.sampling import sample_categorical


def test_draws_follow_the_probabilities_and_never_a_zero_entry():
    """200,000 draws from a row with zeros at the ends and in the middle: frequencies within 0.005 of the
    probabilities (about 4 standard deviations), zeros never drawn; rows of a batch are independent."""
    torch.manual_seed(0)
    probs = torch.tensor([0.0, 0.1, 0.0, 0.25, 0.05, 0.6, 0.0])
    draws = sample_categorical(probs.expand(200_000, -1))
    freq = torch.bincount(draws, minlength=7).double() / draws.numel()
    assert torch.allclose(freq, probs.double(), atol=0.005)
    assert freq[[0, 2, 6]].sum() == 0
    half = sample_categorical(probs.to(torch.bfloat16).expand(1000, -1))  # mixed-precision decoders
    assert not torch.isin(half, torch.tensor([0, 2, 6])).any()
    other = torch.tensor([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0])  # unnormalised: still a distribution
    mixed = sample_categorical(torch.stack([probs, other]).repeat(1000, 1))
    assert (mixed[1::2] == 6).all() and not (mixed[0::2] == 6).any()


def test_leading_dimensions_are_kept():
    """[B, m, N] probabilities (CAMP: a node per vehicle) give [B, m] indices, each row sampled on its own."""
    probs = torch.zeros(4, 3, 5)
    probs[:, 0, 1] = probs[:, 1, 4] = 1
    probs[:, 2, 2:4] = 0.5
    picked = sample_categorical(probs)
    assert picked.shape == (4, 3)
    assert (picked[:, 0] == 1).all() and (picked[:, 1] == 4).all() and ((picked[:, 2] == 2) | (picked[:, 2] == 3)).all()


def test_rl4co_decoders_sample_with_it():
    """rl4co's sampling decode (POMO, AM, SymNCO, EAS) goes through our sampler and honours the mask."""
    assert DecodingStrategy.sampling.__module__ == "ncorouting.models.sampling"
    mask = torch.tensor([[True, False, True], [False, False, True]])
    logprobs = torch.tensor([[0.5, 0.0, 0.5], [0.0, 0.0, 1.0]]).log()
    for _ in range(50):
        picked = decode_logprobs(logprobs, mask, decode_type="multistart_sampling")
        assert mask.gather(1, picked[:, None]).all()
    with pytest.raises(RuntimeError, match="mask forbids"):
        DecodingStrategy.sampling(torch.tensor([[0.0, -float("inf")]]), torch.tensor([[False, True]]))
