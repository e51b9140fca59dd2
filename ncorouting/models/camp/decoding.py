"""Rollouts of the PVRP environment: parallel (every vehicle acts each step, conflicts resolved by the
environment in favour of the more probable action) and sequential (one vehicle acts per step, chosen
jointly with its node). Greedy or sampled; the log-likelihood sums every chosen action's log-probability,
including those of vehicles halted by a conflict."""

from __future__ import annotations

from collections.abc import Callable

import torch
from tensordict import TensorDict

from ncorouting.models.sampling import sample_categorical

DECODE_TYPES = ("greedy", "sampling")


def log_probs(logits: torch.Tensor, mask: torch.Tensor, clip: float) -> torch.Tensor:
    """log-softmax over the last dim of clip * tanh(logits), masked."""
    logits = clip * torch.tanh(logits) if clip > 0 else logits
    return logits.masked_fill(~mask, float("-inf")).log_softmax(-1)


def choose(logp: torch.Tensor, decode_type: str) -> torch.Tensor:
    """Index per row of logp [..., N]: argmax (greedy) or a sample."""
    if decode_type == "greedy":
        return logp.argmax(-1)
    if decode_type == "sampling":
        return sample_categorical(logp.exp())
    raise ValueError(f"unknown decode type '{decode_type}'; known: {', '.join(DECODE_TYPES)}")


def max_steps(td: TensorDict) -> int:
    """A bound no rollout reaches: every two steps serve at least one client."""
    return 2 * td["locs"].size(-2) + 10


def rollout(
    td: TensorDict,
    env,
    logits_fn: Callable[[TensorDict], torch.Tensor],
    decode_type: str,
    clip: float,
    sequential: bool = False,
) -> dict:
    """Decode until every instance is done; returns actions [B, m, T], log_likelihood [B], the final
    state and the halting ratio (share of vehicle moves overridden by a conflict)."""
    actions, loglik = [], torch.zeros(td.batch_size[0], device=td.device)
    halted = active = 0
    for _ in range(max_steps(td)):
        if bool(td["done"].all()):
            break
        logits = logits_fn(td)  # [B, m, N]
        step = sequential_step if sequential else parallel_step
        action, chosen = step(td, logits, decode_type, clip)
        running = ~td["done"].view(-1)  # torchrl's reset makes `done` [B, 1]; steps keep it [B]
        td.set("action", action)
        td = env.step(td)["next"]
        actions.append(td["action"])
        loglik = loglik + chosen
        halted += int((td["halted"] & running[:, None]).sum())
        active += int(running.sum()) * action.size(-1)
    else:
        raise RuntimeError(f"PVRP rollout did not finish within {max_steps(td)} steps")
    return {
        "actions": torch.stack(actions, -1),
        "log_likelihood": loglik,
        "td": td,
        "halting_ratio": halted / max(active, 1),
    }


def parallel_step(td: TensorDict, logits: torch.Tensor, decode_type: str, clip: float):
    """Every vehicle picks a node; the probability of its pick becomes its priority in conflicts (set in
    `td` for the environment). Returns actions [B, m] and the summed log-probability of all picks [B]."""
    logp = log_probs(logits, td["action_mask"], clip)
    action = choose(logp, decode_type)
    chosen = logp.gather(-1, action[..., None]).squeeze(-1)
    td.set("action_priority", chosen.exp())
    return action, chosen.sum(-1)


def sequential_step(td: TensorDict, logits: torch.Tensor, decode_type: str, clip: float):
    """One vehicle moves: a joint choice over (vehicle, node) pairs, staying excluded; finished instances
    stay put with log-probability 0."""
    batch, m, n_nodes = logits.shape
    current = td["current_node"]
    stay = torch.zeros_like(td["action_mask"]).scatter(-1, current[..., None], True)
    mask = (td["action_mask"] & ~stay).view(batch, -1)
    done = td["done"].view(-1)
    mask[done] = False
    mask[done, current[done, 0]] = True  # vehicle 0 "moves" to where it stands: nothing happens
    logp = log_probs(logits.view(batch, -1), mask, clip)
    pick = choose(logp, decode_type)
    agent, node = pick // n_nodes, pick % n_nodes
    action = current.scatter(1, agent[:, None], node[:, None])
    return action, logp.gather(-1, pick[:, None]).squeeze(-1)
