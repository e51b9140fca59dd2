"""Deliberately wrong programs, two or more per task type: each is the reference program with one
planted mistake, and names the constraint our checker must report for it."""

from __future__ import annotations

from dataclasses import dataclass

from ncorouting.llm.tasks import reference_program

LENGTH = "sum(dist(a, b) for a, b in zip(tour, tour[1:]))"


@dataclass(frozen=True)
class WrongProgram:
    """A mistake planted in the reference answer (Python acting on `answer`, `tours` and `inst`) and
    the constraint it breaks."""

    mistake: str
    breaks: str
    code: str

    def program(self, task_type: str) -> str:
        """The reference program of `task_type` with the mistake applied before printing."""
        source = reference_program(task_type)
        head = source[: source.index('\nif __name__ == "__main__":')]
        body = "\n".join("    " + line for line in self.code.strip().splitlines())
        return (
            f"{head}\n\n"
            'if __name__ == "__main__":\n'
            "    with open(sys.argv[1]) as handle:\n"
            "        inst = json.load(handle)\n"
            f"    answer = solve(inst, {task_type!r})\n"
            "    tours = answer['tours']\n"
            "    d = distance_matrix(inst)\n"
            "    dist = lambda a, b: d[a][b]\n"
            f"    TYPE = {task_type!r}\n"
            f"{body}\n"
            "    print(json.dumps(answer))\n"
        )


SKIP_CITY = WrongProgram("skips a city", "visits", "tours[-1].remove(max(tours[-1][1:-1]))")
REPEAT_CITY = WrongProgram("serves a city twice", "visits", "tours[-1].insert(1, tours[-1][1])")
NO_RETURN = WrongProgram("forgets the way back to the depot", "endpoints", "tours[0].pop()")
THREE_ROBOTS = WrongProgram("uses three robots", "robots", "tours[0] = tours[0][:-1] + tours[1][1:]\ndel tours[1]")
IDLE_ROBOT = WrongProgram(
    "leaves a robot idle", "idle robot", "tours[1] = tours[1][:-1] + tours[0][1:]\ntours[0] = [0, 0]"
)
NO_RETURN_LEG_COST = WrongProgram(
    "leaves the return leg out of its cost", "cost", "tour = tours[0][:-1]\nanswer['cost'] = " + LENGTH
)
SUM_OF_TOURS = WrongProgram(
    "reports the sum over robots, not the longest tour",
    "cost",
    "answer['cost'] = sum(sum(dist(a, b) for a, b in zip(tour, tour[1:])) for tour in tours)",
)
WHOLE_GROUP = WrongProgram(
    "visits every city of the largest group",
    "groups",
    "group = max(inst['groups'], key=len)\nvisited = {v for t in tours for v in t}\n"
    "tours[0][1:1] = [v for v in group if v not in visited]",
)
EXTRA_CITY = WrongProgram(
    "visits one city too many",
    "selection",
    "visited = {v for t in tours for v in t}\ntours[0].insert(1, min(set(range(1, len(d))) - visited))",
)
DROP_BIGGEST_MARKET = WrongProgram(
    "skips its biggest market",
    "demand",
    "biggest = max((v for t in tours for v in t[1:-1]), key=lambda v: inst['stock'][v])\n"
    "for tour in tours:\n    if biggest in tour:\n        tour.remove(biggest)",
)


def ignores(constraint: str, *fields: str) -> WrongProgram:
    """Solves the task without some of its fields. Each benchmark instance is built so that dropping them
    lowers the optimum, so the relaxed optimum must break exactly that constraint."""
    return WrongProgram(
        f"ignores the {constraint}",
        constraint,
        f"answer = solve({{k: v for k, v in inst.items() if k not in {fields!r}}}, TYPE)\ntours = answer['tours']",
    )


NO_RECHARGE = ignores("energy", "energy_budget")
NO_WINDOWS = ignores("time windows", "time_windows")
NO_PRECEDENCE = ignores("precedence", "precedence")
NO_COLOURS = ignores("colours", "robot_colours", "city_colours")

#: Task type -> deliberately wrong programs (at least two each).
WRONG_PROGRAMS: dict[str, list[WrongProgram]] = {
    "tsp": [SKIP_CITY, NO_RETURN],
    "btsp": [
        WrongProgram(
            "reports the tour length, not the longest leg", "cost", "tour = tours[0]\nanswer['cost'] = " + LENGTH
        ),
        REPEAT_CITY,
    ],
    "gtsp": [WHOLE_GROUP, NO_RETURN_LEG_COST],
    "sop": [
        NO_PRECEDENCE,
        WrongProgram(
            "starts from the first city, not the depot", "endpoints", "tours[0] = tours[0][1:] + [tours[0][1]]"
        ),
    ],
    "ktsp": [EXTRA_CITY, REPEAT_CITY],
    "mvtsp": [
        WrongProgram(
            "drops a city from its walk", "visits", "c = tours[0][1]\ntours[0] = [v for v in tours[0] if v != c]"
        ),
        WrongProgram(
            "reads the cost matrix transposed",
            "cost",
            "tour = tours[0]\nanswer['cost'] = sum(d[b][a] for a, b in zip(tour, tour[1:]))",
        ),
    ],
    "tsptw": [
        NO_WINDOWS,
        SKIP_CITY,
    ],
    "tpp": [
        DROP_BIGGEST_MARKET,
        WrongProgram(
            "leaves the purchases out of its cost",
            "cost",
            "tour = tours[0]\nanswer['cost'] = inst['travel_cost'] * " + LENGTH,
        ),
    ],
    "mdtsp_no": [
        WrongProgram(
            "never visits the last depot",
            "depots",
            "last = inst['depots'][-1]\ntours[0] = [v for v in tours[0] if v != last] + [inst['depots'][0]]",
        ),
        WrongProgram("starts at the second depot", "endpoints", "tours[0][0] = inst['depots'][1]"),
    ],
    "mdtsp": [NO_RECHARGE, WrongProgram("ends at a customer", "endpoints", "tours[0].pop()")],
    "mtsp": [THREE_ROBOTS, REPEAT_CITY],
    "bmtsp": [
        WrongProgram(
            "reports the longest tour, not the longest leg",
            "cost",
            "answer['cost'] = max(" + LENGTH.replace("sum(", "sum((", 1) + ") for tour in tours)",
        ),
        IDLE_ROBOT,
    ],
    "gmtsp": [WHOLE_GROUP, THREE_ROBOTS],
    "msop": [
        NO_PRECEDENCE,
        WrongProgram(
            "puts the second city of a precedence pair on another robot",
            "precedence",
            "a, b = inst['precedence'][-1]\nmine = next(t for t in tours if b in t)\nmine.remove(b)\n"
            "other = next(t for t in tours if t is not mine)\nother.insert(1, b)",
        ),
        NO_RETURN,
    ],
    "kmtsp": [EXTRA_CITY, IDLE_ROBOT],
    "mvmtsp": [
        WrongProgram(
            "drops a city from every walk",
            "visits",
            "c = tours[-1][1]\nfor k, tour in enumerate(tours):\n    tours[k] = [v for v in tour if v != c] or [0, 0]",
        ),
        SUM_OF_TOURS,
    ],
    "mtsptw": [
        NO_WINDOWS,
        SKIP_CITY,
    ],
    "mtpp": [
        WrongProgram(
            "loads every market on the first robot",
            "capacity",
            "tours[0] = [0] + [v for t in tours for v in t[1:-1]] + [0]\nfor t in tours[1:]:\n    t[1:-1] = []",
        ),
        DROP_BIGGEST_MARKET,
    ],
    "mdmtsp_no": [
        WrongProgram("starts every robot at depot 0", "endpoints", "for tour in tours:\n    tour[0] = 0"),
        REPEAT_CITY,
    ],
    "mdmtsp": [NO_RECHARGE, WrongProgram("ends at a customer", "endpoints", "tours[-1].pop()")],
    "cmtsp": [
        WrongProgram("ignores the colours", "colours", "tours[0][1], tours[1][1] = tours[1][1], tours[0][1]"),
        SKIP_CITY,
    ],
}
