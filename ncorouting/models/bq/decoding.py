"""Batched greedy and beam-search decoding of a BQ policy (greedy is a beam of width 1).

rl4co's beam search assumes a fixed action set and a first step chosen outside the beam; BQ's
action set shrinks every step and its first move is part of the search, so the search is written
here. Each step keeps, per instance, the `width` best partial solutions by summed log-probability;
at the end the beam with the shortest route is returned, not the most probable one.
"""

from __future__ import annotations

import torch
from tensordict import TensorDict

from ncorouting.models.bq.env import BQEnvBase
from ncorouting.models.bq.policy import BQPolicy

#: Keys that never change during decoding: copied once per beam, never re-gathered.
STATIC_KEYS = ("locs", "dist", "demand")


@torch.inference_mode()
def beam_search(
    policy: BQPolicy, env: BQEnvBase, batch: TensorDict, width: int = 1
) -> tuple[torch.Tensor, torch.Tensor]:
    """Standard-environment actions [B, L] and rewards [B] of the best beam per instance."""
    state = env.reset(batch.clone())  # torchrl's reset writes into the batch it is given
    num = state.batch_size[0]
    if width > 1:
        state = state[torch.arange(num, device=state.device).repeat_interleave(width)]
    static = [k for k in STATIC_KEYS if k in state.keys()]
    score = torch.zeros(num, width, device=state.device)
    score[:, 1:] = float("-inf")  # one live beam per instance at the start: no duplicate beams
    base = torch.arange(num, device=state.device)[:, None] * width
    while not bool(state["done"].all()):
        logits, mask = policy.decoder(state)
        logp = logits.masked_fill(~mask, float("-inf")).log_softmax(dim=-1)
        options = logp.size(1)
        total = (score.reshape(-1, 1) + logp).view(num, width * options)
        score, pick = total.topk(width, dim=1)
        # fewer live continuations than beams: the spare beams repeat the best one, scored -inf
        pick = torch.where(torch.isinf(score), pick[:, :1], pick)
        if width > 1:
            rows = (base + pick // options).flatten()
            moved = state.exclude(*static)[rows]
            moved.update(state.select(*static))
            state = moved
        state["action"] = (pick % options).flatten()
        state = env.step(state)["next"]
    reward = env.get_reward(state, None).view(num, width).masked_fill(torch.isinf(score), float("-inf"))
    best = reward.argmax(dim=1)
    rows = base[:, 0] + best
    return env.standard_actions(state)[rows], reward[torch.arange(num), best]
