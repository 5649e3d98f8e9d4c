"""Benchmark: the CP-SAT week beside the greedy baseline, both judged by the scorer.

    .venv/bin/python bench/scheduler.py [--seeds 1 2 3] [--runs 3] [--quick] [--rows Typical ...]
        [--district [--each 8]]

Rows: Typical (1 therapist, 4 schools, 50 students, 1-2 sessions a week, 10 s), Hard
(70 students, 8 schools, tight bell schedules, 30 s) and Planted (the same, but built around
a known complete week, `generate_planted`, so that every minute can be placed; its row ends
with that witness week's penalty). For each instance: minutes placed and
the scorer's penalty for the solver and for the greedy baseline, the solver's status, its
objective and best bound (and the gap between them), and the time, measured in the same run.
Two CP-SAT workers under a time limit do not repeat a run, so `--runs N` solves each instance
N times (CP-SAT random seeds 1..N) and ends each row with a summary over all its runs.

--district adds the District row: 200 therapists' weeks (50 students at 4 schools each,
10,000 students), solved one after the other with 2 CP-SAT workers and `--each` seconds at
most, as one task worker runs a district re-solve on 2 cores; the wall time beside the greedy
baseline's minutes and penalty over the same 200 weeks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from schoolot.scheduling.baseline import greedy
from schoolot.scheduling.feasibility import capacity
from schoolot.scheduling.generate import generate_instance, generate_planted
from schoolot.scheduling.scorer import score
from schoolot.scheduling.solver import solve


def typical(seed: int):
    return generate_instance(students=50, schools=4, seed=seed), None


def hard(seed: int):
    return generate_instance(students=70, schools=8, seed=seed, tight=True), None


def planted(seed: int):
    return generate_planted(students=70, schools=8, seed=seed)


ROWS = [("Typical", typical, 10.0), ("Hard", hard, 30.0), ("Planted", planted, 30.0)]


def gap(objective: float | None, bound: float | None) -> str:
    if objective is None or bound is None:
        return "-"
    return f"{(objective - bound) / max(objective, 1e-9):.1%}"


def district_week(seed: int, each: float) -> dict:
    instance = generate_instance(students=50, schools=4, seed=10_000 + seed)
    week = solve(instance, time_limit=each, workers=2)
    base = greedy(instance)
    s, g = score(instance, week), score(instance, base)
    return dict(
        required=s.required_minutes,
        placed=s.placed_minutes,
        penalty=s.penalty,
        violations=len(s.violations) + len(g.violations),
        optimal=week.status == "OPTIMAL",
        complete=week.complete,
        objective=week.objective or 0,
        bound=week.bound or 0,
        greedy_placed=g.placed_minutes,
        greedy_penalty=g.penalty,
        greedy_complete=base.complete,
    )


def district(therapists: int, each: float) -> bool:
    started = time.perf_counter()
    rows = [district_week(i, each) for i in range(therapists)]
    seconds = time.perf_counter() - started

    def total(key: str) -> float:
        return sum(r[key] for r in rows)

    print(
        f"District: {therapists} therapists, {therapists * 50} students, {each:.0f} s at most "
        f"each, one after the other: {seconds / 60:.1f} min wall (target 15 min)"
    )
    print(
        f"  solver: {total('placed') / total('required'):.2%} of minutes placed, "
        f"{total('complete')} weeks complete, {total('optimal')} proven optimal, "
        f"penalty {total('penalty'):.0f}, "
        f"gap to the bound {gap(total('objective'), total('bound'))}"
    )
    print(
        f"  greedy: {total('greedy_placed') / total('required'):.2%} of minutes placed, "
        f"{total('greedy_complete')} weeks complete, penalty {total('greedy_penalty'):.0f}; "
        f"violations (both): {total('violations')}"
    )
    return total("violations") == 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--runs", type=int, default=1, help="solves per instance (CP-SAT seeds)")
    parser.add_argument("--quick", action="store_true", help="one seed, a third of the time")
    parser.add_argument("--district", action="store_true", help="add the 200-therapist row")
    parser.add_argument("--therapists", type=int, default=200)
    parser.add_argument("--each", type=float, default=8.0, help="seconds per district week")
    parser.add_argument(
        "--rows", nargs="+", choices=[name for name, _m, _l in ROWS], help="these rows only"
    )
    args = parser.parse_args()
    seeds = args.seeds[:1] if args.quick else args.seeds
    print(
        f"{'row':<8} {'seed':>4} {'solver placed':>13} {'penalty':>8} {'status':>9} "
        f"{'objective':>10} {'bound':>8} {'gap':>6} {'time s':>6} | {'greedy placed':>13} "
        f"{'penalty':>8} | violations | therapist minutes needed/free, units with too few days"
    )
    ok = True
    for name, make, limit in ROWS:
        if args.rows and name not in args.rows:
            continue
        runs = []
        for seed in seeds:
            instance, witness = make(seed)
            known = f" | witness {score(instance, witness).penalty:.0f}" if witness else ""
            base = greedy(instance)
            g = score(instance, base)
            cap = capacity(instance)
            for run in range(1, args.runs + 1):
                started = time.perf_counter()
                week = solve(
                    instance, time_limit=limit / (3 if args.quick else 1), workers=2, seed=run
                )
                seconds = time.perf_counter() - started
                s = score(instance, week)
                ok &= s.feasible and g.feasible
                runs.append((s, week))
                print(
                    f"{name:<8} {seed:>4} {s.placed_share:>12.1%} {s.penalty:>8.0f} "
                    f"{week.status:>9} {week.objective or 0:>10.0f} {week.bound or 0:>8.0f} "
                    f"{gap(week.objective, week.bound):>6} {seconds:>6.1f} | "
                    f"{g.placed_share:>12.1%} {g.penalty:>8.0f} | "
                    f"{len(s.violations)}/{len(g.violations)} | {cap.needed}/{cap.available}"
                    f"{' (over capacity)' if cap.short else ''}, {len(cap.impossible_units)}"
                    f"{known}"
                )
        if args.runs > 1:
            placed = sorted(s.placed_share for s, _w in runs)
            gaps = sorted((w.objective - w.bound) / max(w.objective, 1e-9) for _s, w in runs)
            print(
                f"  {name} over {len(runs)} runs: placed {placed[0]:.1%}..{placed[-1]:.1%} "
                f"(median {statistics.median(placed):.1%}), complete "
                f"{sum(s.placed_share >= 1 for s, _w in runs)}, proven optimal "
                f"{sum(w.status == 'OPTIMAL' for _s, w in runs)}, within 2% of the bound "
                f"{sum(g <= 0.02 for g in gaps)}, median gap {statistics.median(gaps):.1%}"
            )
    if args.district:
        ok &= district(args.therapists, args.each)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
