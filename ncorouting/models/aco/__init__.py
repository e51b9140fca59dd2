"""DeepACO and GFACS on sparse k-NN graphs: GNN edge heatmaps, ant-colony search, local search."""
