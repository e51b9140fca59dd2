"""Counterfactual route explanations ("why A -> B and not A -> C?"), after RouteExplainer (Kikuta et
al., PAKDD 2024), written from the paper's description: counterfactual re-solves, edge intentions,
facts, text and pictures."""

from ncorouting.explain.api import Explanation, explain, explain_many
from ncorouting.explain.facts import EdgeFacts, Facts, SolutionFacts
from ncorouting.explain.question import Question

__all__ = ["EdgeFacts", "Explanation", "Facts", "Question", "SolutionFacts", "explain", "explain_many"]
