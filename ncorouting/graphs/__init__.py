"""Sparse graphs of routing instances (k nearest neighbours, torch-geometric batches) and their edge costs."""

from ncorouting.graphs.costs import CostSource
from ncorouting.graphs.knn import DEFAULT_K, KnnGraph, effective_k, knn_graph

__all__ = ["DEFAULT_K", "CostSource", "KnnGraph", "effective_k", "knn_graph"]
