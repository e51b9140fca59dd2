"""The words of a benchmark task: environment, robots, objective and constraints in plain English, and the
instance file's fields. Values stay in the instance file; the text names the fields that hold them."""

from __future__ import annotations

from ncorouting.llm.tasks.types import TaskType

#: What each instance field holds, shown to the LLM as the instance file's format.
FIELD_DOCS = {
    "coords": "list of [x, y] integer coordinates; entry i belongs to city i",
    "distance_matrix": "list of rows; entry [i][j] is the cost of travelling directly from city i to city j",
    "robots": "number of robots",
    "depots": "list of the depot cities",
    "groups": "list of groups, each a list of city numbers",
    "precedence": "list of [a, b] pairs: city a must be visited before city b",
    "k": "number of cities to visit, the depot included",
    "time_windows": "list of [open, close] per city; entry 0 is the depot's: departure time and latest return",
    "stock": "units of goods on sale at each city (0 at the depot)",
    "price": "price per unit at each city (0 at the depot)",
    "demand": "units of goods to buy in total",
    "travel_cost": "money per unit of travel cost",
    "capacity": "most units each robot may carry, one entry per robot",
    "energy_budget": "energy available between two depot visits",
    "robot_colours": "colour of each robot",
    "city_colours": "per city, the list of colours whose robots may visit it (entry 0, the depot, lists all)",
}


#: The fields of an ncorouting instance file (`ncorouting.io.json_files`).
ROUTING_FIELD_DOCS = {
    "problem": "problem name (tsp, atsp, cvrp, ...); node 0 is the depot",
    "name": "instance name",
    "coords": "list of [x, y] coordinates, one per node",
    "distances": "matrix; entry [i][j] is the travel cost from node i to node j",
    "edge_weight_type": "how costs follow from coords: EXACT_2D unrounded Euclidean, EUC_2D rounded to integers",
    "demands": "demand of each node (0 at the depot)",
    "capacity": "vehicle capacity",
    "known_optimum": "best known cost (for reference only)",
}


def _shape(value: object) -> str:
    """A short description of a JSON value's shape, for fields we have no words for."""
    if isinstance(value, list):
        kinds = {_shape(v) for v in value}
        return f"list of {len(value)} items, each a {kinds.pop()}" if len(kinds) == 1 else f"list of {len(value)} items"
    return {bool: "boolean", int: "number", float: "number", str: "string", dict: "object"}.get(type(value), "value")


def instance_format(instance: dict, docs: dict[str, str] | None = None) -> str:
    """The instance file's fields, one line each, in file order (the shape for fields without words)."""
    docs = FIELD_DOCS if docs is None else docs
    return "\n".join(f'- "{key}": {docs.get(key) or _shape(value)}' for key, value in instance.items())


def _environment(t: TaskType, inst: dict) -> str:
    n = len(inst.get("coords", inst.get("distance_matrix", [])))
    lines = [f"There are {n} cities, numbered 0 to {n - 1}."]
    if t.has("matrix"):
        lines.append(
            "Travelling from city i to city j costs entry [i][j] of the cost matrix. The matrix is not symmetric, "
            "and the direct trip between two cities is not always the cheapest way between them."
        )
    else:
        lines.append("Travelling between two cities costs their straight-line (Euclidean, unrounded) distance.")
    if t.has("depots"):
        depots = inst["depots"]
        lines.append(
            f"Cities {', '.join(map(str, depots[:-1]))} and {depots[-1]} are depots; the others are customers."
        )
    else:
        lines.append("City 0 is the depot.")
    return " ".join(lines)


def _robots(t: TaskType, inst: dict) -> str:
    if t.robots == 1:
        return f"One robot starts at {'depot ' + str(inst['depots'][0]) if t.has('depots') else 'the depot'}."
    if t.has("depots"):
        return f"There are {t.robots} robots; robot r starts at depot r (r = 0 to {t.robots - 1})."
    text = f"There are {t.robots} robots, all starting at the depot."
    if t.has("colours"):
        text += " Each robot has a colour, and each city lists the colours of the robots allowed to visit it."
    return text


def _objective(t: TaskType, inst: dict) -> str:
    if t.objective == "bottleneck":
        scope = "of the tour" if t.robots == 1 else "made by any robot"
        return f"Minimise the travel cost of the longest single move between consecutive cities {scope}."
    if t.has("purchase"):
        own = "total cost" if t.robots == 1 else "cost of a robot"
        text = f"The {own} is {inst['travel_cost']} times the travel cost of its tour plus the price it pays for goods."
        return text + (" Minimise it." if t.robots == 1 else " Minimise the largest cost of a robot.")
    if t.robots == 1:
        return "Minimise the total travel cost of the tour."
    return "Minimise the travel cost of the most expensive robot's tour (the longest of the four tours)."


def _route_rules(t: TaskType, inst: dict) -> list[str]:
    multi = t.robots > 1
    if t.has("depots"):
        if multi:
            return [
                "Each robot's tour starts at its own depot and ends at any depot; it may pass through depots.",
                "Every customer is visited exactly once, by one robot, and every robot visits at least one customer.",
            ]
        return [
            f"The tour starts at depot {inst['depots'][0]} and ends at any depot; depots may be visited several times.",
            "Every customer is visited exactly once, and every depot at least once (the start counts).",
        ]
    ends = "Each robot's tour starts and ends at the depot." if multi else "The tour starts and ends at the depot."
    rules = [ends]
    if multi:
        rules.append("Every robot visits at least one city.")
    if t.has("matrix"):
        rules.append("Every other city is visited at least once; passing through a city or the depot again is allowed.")
    elif t.has("groups"):
        who = "The robots together visit" if multi else "The tour visits"
        rules.append(f"The other cities form groups; {who[0].lower() + who[1:]} exactly one city of each group.")
    elif t.has("k"):
        count = inst["k"] - 1
        who = "The robots together visit" if multi else "The tour visits"
        rules.append(f"{who} exactly {count} cities besides the depot, each once; which ones is for you to choose.")
    elif t.has("purchase"):
        rules.append("Markets (cities other than the depot) may be skipped; none is visited more than once in all.")
    else:
        rules.append("Every other city is visited exactly once" + (", by exactly one robot." if multi else "."))
    return rules


def _feature_rules(t: TaskType, inst: dict) -> list[str]:
    multi = t.robots > 1
    rules = []
    if t.has("precedence"):
        extra = " Both cities of a pair must be on the same robot's tour." if multi else ""
        rules.append("For every pair [a, b] in the precedence list, city a is visited before city b." + extra)
    if t.has("windows"):
        open_, close = inst["time_windows"][0]
        rules.append(
            f"{'Every robot leaves' if multi else 'The robot leaves'} the depot at time {open_} and travels at "
            "unit speed (travel time equals travel cost). "
            "It may wait at a city until its time window opens, must arrive no later than the window closes, "
            f"and must be back at the depot by time {close}."
        )
    if t.has("purchase"):
        who = "all robots together" if multi else "the robot"
        rules.append(
            "Each market sells goods: visiting it buys its whole stock at its unit price. "
            f"In total {who} must buy at least {inst['demand']} units."
        )
        if multi:
            rules.append("Robot r may carry at most capacity[r] units.")
    if t.has("energy"):
        budget = inst["energy_budget"]
        rules.append(
            f"Moving uses energy equal to its travel cost; every depot visit recharges fully. The energy used between "
            f"two consecutive depot visits (the start counts as one) must not exceed {budget}."
        )
    if t.has("colours"):
        rules.append("A robot may visit only cities whose colour list contains the robot's colour.")
    return rules


def describe(t: TaskType, inst: dict) -> tuple[str, list[str]]:
    """The task in words and its constraints as separate lines (the self-verification prompt reuses them)."""
    constraints = _route_rules(t, inst) + _feature_rules(t, inst)
    text = "\n\n".join(
        [
            "Environment: " + _environment(t, inst),
            "Robots: " + _robots(t, inst),
            "Objective: " + _objective(t, inst),
            "Constraints:\n" + "\n".join(f"- {line}" for line in constraints),
        ]
    )
    return text, constraints
