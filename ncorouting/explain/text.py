"""Explanations as text: a deterministic template built from the facts, or an LLM-written one through
an OpenAI-compatible endpoint (only when configured: a base URL and a model; the prompt holds the
computed facts and nothing else about the instance)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from ncorouting.errors import InputError
from ncorouting.explain.facts import EdgeFacts, Facts, SolutionFacts, relative

#: Costs within this of each other count as equal.
TIE = 1e-9


def _node(v: int) -> str:
    return "the depot" if v == 0 else f"client {v}"


def _edge(edge: EdgeFacts) -> str:
    text = f"{_node(edge.source)} -> {_node(edge.target)} costs {edge.cost:.4g}"
    if edge.arrival is not None:
        text += f" (service at {_node(edge.target)} starts at {edge.arrival:.4g})"
    return text + (f", intention: {edge.intention}" if edge.intention else "")


def _shares(shares: dict[str, float]) -> str:
    return ", ".join(f"{name} {100 * share:.0f}%" for name, share in shares.items()) or "no labels"


def _side(title: str, facts: SolutionFacts, route: int) -> str:
    lines = [f"{title}: edge {_edge(facts.edge)}."]
    summary = f"The solution costs {facts.total_cost:.4g} with {facts.num_routes} route(s); route {route} costs "
    summary += f"{facts.route_cost:.4g}"
    if facts.route_return is not None:
        summary += f" and is back at the depot at {facts.route_return:.4g}; total waiting {facts.waiting:.4g}"
    lines.append(summary + ".")
    if facts.later_intentions:
        lines.append(f"Intentions of route {route} from this step on: {_shares(facts.later_intentions)}.")
    return " ".join(lines)


def _verdict(facts: Facts) -> str:
    d = facts.differences
    cf, actual = facts.counterfactual, facts.actual
    total = d["total_cost"]
    pct = relative(total, actual.total_cost)
    if total > TIE:
        text = (
            f"The actual edge is better: forcing the alternative makes the solution {total:.4g} ({pct:+.2f}%) dearer."
        )
    elif total < -TIE:
        text = (
            f"The alternative is better by {-total:.4g} ({pct:+.2f}%): the {actual.solver} solution is not optimal "
            f"here, and the re-solve found a cheaper completion."
        )
    else:
        text = "Both solutions cost the same."
    edge = d["edge_cost"]
    if abs(edge) > TIE:
        text += f" Short term, the alternative edge is {'longer' if edge > 0 else 'shorter'} by {abs(edge):.4g}"
        text += "; long term the totals differ as above." if abs(total) > TIE else "."
    if d.get("routes"):
        text += f" It needs {int(d['routes']):+d} route(s)."
    if d.get("waiting") is not None and abs(d["waiting"]) > TIE:
        text += f" Waiting changes by {d['waiting']:+.4g}."
    if cf.unserved:
        text += f" It leaves clients {cf.unserved} unserved."
    return text


def template_text(facts: Facts) -> str:
    """A deterministic explanation: the question, each side's values, the verdict from the differences."""
    q = facts.question
    source, target = facts.actual.edge.source, facts.actual.edge.target
    head = (
        f"Why does route {q.route} go {_node(source)} -> {_node(target)} at step {q.step}, "
        f"and not {_node(source)} -> {_node(q.alternative)}?"
    )
    if facts.counterfactual is None:
        return f"{head}\nThe alternative is not possible: {facts.reason}.\n{_side('Actual', facts.actual, q.route)}"
    if q.alternative == target:
        return f"{head}\nRoute {q.route} already takes this edge: there is nothing to compare (every difference is 0)."
    parts = [
        head,
        _side(f"Actual ({facts.actual.solver})", facts.actual, q.route),
        _side(f"Counterfactual (re-solved by {facts.resolver} after the forced edge)", facts.counterfactual, q.route),
        _verdict(facts),
    ]
    return "\n".join(parts)


@dataclass(frozen=True)
class LLMConfig:
    """An OpenAI-compatible chat endpoint: base URL, model, key (optional for local servers)."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 60.0

    @classmethod
    def from_env(cls) -> LLMConfig | None:
        """From NCOROUTING_LLM_BASE_URL and NCOROUTING_LLM_MODEL (key: NCOROUTING_LLM_API_KEY); None unless both set."""
        base, model = os.environ.get("NCOROUTING_LLM_BASE_URL"), os.environ.get("NCOROUTING_LLM_MODEL")
        if not base or not model:
            return None
        return cls(base, model, os.environ.get("NCOROUTING_LLM_API_KEY"))


SYSTEM_PROMPT = """You explain one decision of a vehicle-routing plan to the dispatcher who must accept it.
The user message is a JSON object of facts computed by the planner: a question about one edge (route,
step, actual next node, alternative node), representative values of the actual plan and of a
counterfactual plan that takes the alternative edge and re-plans the rest, and their differences
(counterfactual minus actual).
Rules:
1. Use only the numbers in the facts; never invent distances, times or places.
2. Compare short term (the edge's own cost or service start) and long term (total cost).
3. Mention extra routes, waiting and unserved clients when they differ.
4. Fewer costs because clients are left unserved is not an improvement.
5. If the counterfactual is cheaper, say so plainly: the actual plan is not optimal there.
6. Use the edge intentions (length, capacity, time window, ...) to say what each edge serves.
7. If the facts carry a reason instead of a counterfactual, explain why the alternative is impossible.
Answer in three short parts: "Actual edge", "Alternative edge", "Summary"."""


def llm_messages(facts: Facts) -> list[dict[str, str]]:
    """The chat messages: fixed instructions, then the facts as JSON (nothing else)."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": json.dumps(facts.to_dict(), sort_keys=True)},
    ]


def llm_text(facts: Facts, config: LLMConfig) -> str:
    """Ask the configured endpoint to write the explanation (temperature 0)."""
    from openai import OpenAI, OpenAIError

    client = OpenAI(base_url=config.base_url, api_key=config.api_key or "not-needed", timeout=config.timeout)
    try:
        reply = client.chat.completions.create(model=config.model, messages=llm_messages(facts), temperature=0)
    except OpenAIError as exc:
        raise InputError(f"LLM endpoint {config.base_url} failed: {type(exc).__name__}: {exc}") from None
    content = reply.choices[0].message.content if reply.choices else None
    if not content:
        raise InputError(f"LLM endpoint {config.base_url} returned no text")
    return content
