"""Real-world routing: OpenStreetMap road networks to asymmetric travel matrices (offline, osmnx),
city files, and instances of ATSP / ACVRP / ACVRPTW sampled from them."""
