"""BQ-NCO (Drakulic et al., NeurIPS 2023): policies that read only the remaining sub-problem.

Modules: `state` (reduced-state tokens), `env` (BQ-MDP environments on the standard ones), `network`
(ReZero transformer), `policy` (rl4co constructive policy), `decoding` (greedy and beam search),
`labels` (expert label files), `trajectories` (suffix states for imitation), `lit` (training),
`solver` (the `bq` solver).
"""
