"""Benchmark: the CP-SAT week beside the greedy baseline, both judged by the scorer.

    .venv/bin/python bench/scheduler.py [--seeds 1 2 3] [--quick]

Rows: Typical (1 therapist, 4 schools, 50 students, 1-2 sessions a week, 10 s) and Hard
(70 students, 8 schools, tight bell schedules, 30 s). For each instance: minutes placed and
the scorer's penalty for the solver and for the greedy baseline, the solver's status, its
objective and best bound, and the time, measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time

from schoolot.scheduling.baseline import greedy
from schoolot.scheduling.feasibility import capacity
from schoolot.scheduling.generate import generate_instance
from schoolot.scheduling.scorer import score
from schoolot.scheduling.solver import solve

ROWS = [
    ("Typical", dict(students=50, schools=4, tight=False), 10.0),
    ("Hard", dict(students=70, schools=8, tight=True), 30.0),
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--quick", action="store_true", help="one seed, a third of the time")
    args = parser.parse_args()
    seeds = args.seeds[:1] if args.quick else args.seeds
    print(
        f"{'row':<8} {'seed':>4} {'solver placed':>13} {'penalty':>8} {'status':>9} "
        f"{'objective':>10} {'bound':>8} {'time s':>6} | {'greedy placed':>13} "
        f"{'penalty':>8} | violations | therapist minutes needed/free, units with too few days"
    )
    ok = True
    for name, params, limit in ROWS:
        for seed in seeds:
            instance = generate_instance(seed=seed, **params)
            started = time.perf_counter()
            week = solve(instance, time_limit=limit / (3 if args.quick else 1), workers=2)
            seconds = time.perf_counter() - started
            base = greedy(instance)
            s, g = score(instance, week), score(instance, base)
            cap = capacity(instance)
            ok &= s.feasible and g.feasible
            print(
                f"{name:<8} {seed:>4} {s.placed_share:>12.1%} {s.penalty:>8.0f} "
                f"{week.status:>9} {week.objective or 0:>10.0f} {week.bound or 0:>8.0f} "
                f"{seconds:>6.1f} | {g.placed_share:>12.1%} {g.penalty:>8.0f} | "
                f"{len(s.violations)}/{len(g.violations)} | {cap.needed}/{cap.available}"
                f"{' (over capacity)' if cap.short else ''}, {len(cap.impossible_units)}"
            )
    print("District (200 therapists, 10,000 students): not run yet (see docs/performance.md).")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
