"""`explain(instance, solution, route=..., step=..., alternative=...)`: answer "why this edge and not
that one?" with a counterfactual solution, the facts that compare the two, text and pictures.
`explain_many` answers many questions at once (the neural resolver decodes them as one batch)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ncorouting.errors import InputError, UnknownNameError
from ncorouting.explain.facts import Facts, solution_facts
from ncorouting.explain.question import (
    Question,
    actual_next,
    infeasibility,
    question_for_edge,
    validate,
)
from ncorouting.explain.resolve import NeuralResolver, OrToolsResolver, Resolved
from ncorouting.instance import Instance
from ncorouting.solution import Solution

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ncorouting.explain.text import LLMConfig

RESOLVERS = {"ortools": OrToolsResolver, "neural": NeuralResolver}
ANNOTATORS = ("rules", "classifier", "none")


@dataclass
class Explanation:
    """The answer to one question: the facts, the actual and the counterfactual solution."""

    facts: Facts
    actual: Solution
    counterfactual: Solution | None

    def text(self, llm: LLMConfig | None = None) -> str:
        """The template explanation, or an LLM-written one when `llm` is configured."""
        from ncorouting.explain.text import llm_text, template_text

        return template_text(self.facts) if llm is None else llm_text(self.facts, llm)

    def plot(self, path: str | Path | None = None) -> Figure:
        """Actual and counterfactual side by side, edges coloured by intention, questioned edges highlighted."""
        from ncorouting.explain.plots import plot_explanation

        return plot_explanation(self, path)

    def plot_differences(self, path: str | Path | None = None, ax: Axes | None = None) -> Axes:
        """Bar chart of counterfactual minus actual."""
        from ncorouting.explain.plots import plot_differences

        return plot_differences(self.facts, path=path, ax=ax)


def make_resolver(name: str, **options):
    """The counterfactual re-solver `name` ("ortools" or "neural") with its options."""
    try:
        return RESOLVERS[name](**options)
    except KeyError:
        raise UnknownNameError("resolver", name, list(RESOLVERS)) from None


def make_annotator(name: str):
    """The intention annotator: "rules" (relaxed re-solves), "classifier" (shipped network) or "none"."""
    if name == "rules":
        from ncorouting.explain.annotate import RuleAnnotator

        return RuleAnnotator()
    if name == "classifier":
        from ncorouting.explain.classifier_annotator import ClassifierAnnotator

        return ClassifierAnnotator()
    if name == "none":
        return None
    raise UnknownNameError("annotator", name, list(ANNOTATORS))


def explain(
    instance: Instance,
    solution: Solution,
    route: int | None = None,
    step: int | None = None,
    alternative: int | None = None,
    edge: tuple[int, int] | None = None,
    resolver: str | object = "ortools",
    annotator: str | object = "rules",
    **resolver_options,
) -> Explanation:
    """Explain one edge choice: give `route`, `step` and `alternative`, or `edge=(a, b)` and
    `alternative` c for "why (a, b) and not (a, c)?". `resolver` re-solves after the forced prefix
    ("ortools" exact, "neural" fast); `annotator` labels edge intentions."""
    if alternative is None:
        raise InputError("give the alternative client to compare with")
    if solution.instance is not instance:  # routes from elsewhere: judge them on this instance
        solution = Solution.from_routes(instance, solution.routes, solution.solver, solution.runtime, solution.vehicles)
    if edge is not None:
        question = question_for_edge(solution, edge[0], edge[1], alternative)
    elif route is None or step is None:
        raise InputError("give route and step, or edge=(a, b)")
    else:
        question = Question(route, step, alternative)
    return explain_many([(solution, question)], resolver, annotator, **resolver_options)[0]


def explain_many(
    cases: Sequence[tuple[Solution, Question]],
    resolver: str | object = "ortools",
    annotator: str | object = "rules",
    progress: bool = False,
    **resolver_options,
) -> list[Explanation]:
    """Explain many (solution, question) pairs; the counterfactuals are re-solved together."""
    resolver = make_resolver(resolver, **resolver_options) if isinstance(resolver, str) else resolver
    annotator = make_annotator(annotator) if isinstance(annotator, str) else annotator
    outcomes: list[Resolved | str | None] = []
    pending = []
    for i, (solution, question) in enumerate(cases):
        validate(solution, question)
        if question.alternative == actual_next(solution, question):
            outcomes.append(Resolved(solution, None, 0.0))  # the route's own edge: nothing to re-solve
            continue
        reason = infeasibility(solution, question)
        outcomes.append(reason)
        if reason is None:
            pending.append(i)
    for i, resolved in zip(pending, resolver.resolve_many([cases[i] for i in pending], progress), strict=True):
        outcomes[i] = resolved
    return _assemble(cases, outcomes, resolver, annotator)


def _assemble(cases, outcomes, resolver, annotator) -> list[Explanation]:
    """Annotate actual and counterfactual solutions (one batch) and build each explanation."""
    from ncorouting.explain.annotate import intention_classes

    counterfactuals = [o.solution if isinstance(o, Resolved) else None for o in outcomes]
    to_label = [s for s, _ in cases] + [cf for cf in counterfactuals if cf is not None]
    labels = annotator.annotate_many(to_label) if annotator is not None else [None] * len(to_label)
    cf_labels = iter(labels[len(cases) :])
    out = []
    for (solution, question), outcome, cf, actual_labels in zip(
        cases, outcomes, counterfactuals, labels[: len(cases)], strict=True
    ):
        cf_intentions = next(cf_labels) if cf is not None else None
        own_edge = isinstance(outcome, Resolved) and outcome.solution is solution
        alternative = question.alternative
        reason = outcome if isinstance(outcome, str) else getattr(outcome, "reason", None)
        facts = Facts(
            problem=solution.instance.problem,
            instance=solution.instance.name,
            question=question,
            actual=solution_facts(solution, question, actual_labels, actual_next(solution, question)),
            counterfactual=None if cf is None or reason else solution_facts(cf, question, cf_intentions, alternative),
            reason=reason,
            resolver="none (the route's own edge)" if own_edge else getattr(resolver, "name", str(resolver)),
            resolver_seconds=outcome.seconds if isinstance(outcome, Resolved) else None,
            classes=intention_classes(solution.instance.problem) if annotator is not None else (),
        )
        out.append(Explanation(facts, solution, None if reason else cf))
    return out
