"""Known optimal costs of standard instances (TSPLIB: Reinelt 1991; CVRPLIB: Augerat 1995,
Christofides & Eilon 1969, Uchoa et al. 2017), used for gaps when no solution file sits beside one."""

KNOWN_OPTIMA: dict[str, float] = {
    "eil51": 426,
    "berlin52": 7542,
    "st70": 675,
    "eil76": 538,
    "kroA100": 21282,
    "br17": 39,
    "ftv33": 1286,
    "p43": 5620,
    "ry48p": 14422,
    "A-n32-k5": 784,
    "E-n51-k5": 521,
    "P-n50-k10": 696,
    "X-n101-k25": 27591,
    "X-n106-k14": 26362,
    "X-n110-k13": 14971,
}
