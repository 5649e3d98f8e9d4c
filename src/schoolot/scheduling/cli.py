"""`schoolot schedule`: generate instances, solve them, score schedules (docs/scheduling.md).

    schoolot schedule generate --students 50 --schools 4 --seed 1 [--tight] [--out FILE]
    schoolot schedule generate --planted --students 70 --schools 8 --seed 1 \
        [--out FILE] [--witness SCHEDULE.json]
    schoolot schedule solve INSTANCE.json [--time-limit 10] [--out SCHEDULE.json] [--baseline]
    schoolot schedule score INSTANCE.json SCHEDULE.json

Bad input (a missing file, invalid JSON, an invalid instance, a time limit or worker count
out of range, an --out that cannot be written) is one line on stderr and exit code 2; `solve`
exits 1 when the instance's locked sessions break a rule on their own (see 'violations').
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence

from schoolot.scheduling.instance import Instance, InstanceError, Schedule


def _write(data: dict, path: str | None) -> None:
    text = json.dumps(data, indent=2)
    if path:
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as exc:
            raise InstanceError(f"Cannot write {path}: {exc.strerror}.") from None
    else:
        print(text)


def _seconds(text: str) -> float:
    """--time-limit: a number of seconds above 0, at most an hour."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= 3600:  # also false for nan
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds above 0, at most 3600"
        )
    return seconds


def _workers(text: str) -> int:
    """--workers: CP-SAT's search workers, 1 to 64."""
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of workers from 1 to 64")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="schoolot schedule", description="Build and judge a therapist's week."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="a realistic instance")
    gen.add_argument("--students", type=int, default=50)
    gen.add_argument("--schools", type=int, default=4)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--tight", action="store_true", help="tight bell schedules")
    gen.add_argument(
        "--planted",
        action="store_true",
        help="a tight week built around a known complete schedule (see --witness)",
    )
    gen.add_argument("--out")
    gen.add_argument("--witness", help="with --planted: write the complete schedule here")
    solve = sub.add_parser("solve", help="solve an instance")
    solve.add_argument("instance")
    solve.add_argument("--time-limit", type=_seconds, default=10.0)
    solve.add_argument("--seed", type=int, default=1)
    solve.add_argument("--workers", type=_workers, default=2)
    solve.add_argument("--baseline", action="store_true", help="the greedy baseline instead")
    solve.add_argument("--out")
    judge = sub.add_parser("score", help="check and score a schedule")
    judge.add_argument("instance")
    judge.add_argument("schedule")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        if args.command == "generate":
            if args.students < 1 or args.schools < 1:
                raise InstanceError("--students and --schools must be at least 1.")
            from schoolot.scheduling.generate import generate_instance, generate_planted

            if args.witness and not args.planted:
                raise InstanceError("--witness goes with --planted.")
            if args.planted:
                instance, witness = generate_planted(
                    students=args.students, schools=args.schools, seed=args.seed
                )
                if args.witness:
                    _write(witness.to_dict(), args.witness)
            else:
                instance = generate_instance(
                    students=args.students, schools=args.schools, seed=args.seed, tight=args.tight
                )
            _write(instance.to_dict(), args.out)
            return 0
        instance = Instance.load(args.instance)
        if args.command == "solve":
            if args.baseline:
                from schoolot.scheduling.baseline import greedy

                schedule = greedy(instance)
            else:
                from schoolot.scheduling.solver import solve as cp_solve

                schedule = cp_solve(
                    instance, time_limit=args.time_limit, seed=args.seed, workers=args.workers
                )
            _write(schedule.to_dict(), args.out)
            if schedule.unplaced:
                print(
                    f"{len(schedule.unplaced)} mandated session(s) could not be placed: see "
                    "'unplaced' for why.",
                    file=sys.stderr,
                )
            if schedule.violations:
                print(
                    f"The locked sessions break {len(schedule.violations)} hard rule(s) on "
                    "their own and are kept as they are: see 'violations'.",
                    file=sys.stderr,
                )
                return 1
            return 0
        try:
            with open(args.schedule, encoding="utf-8") as handle:
                schedule = Schedule.from_dict(json.load(handle))
        except FileNotFoundError:
            raise InstanceError(f"No such file: {args.schedule}") from None
        except json.JSONDecodeError as exc:
            raise InstanceError(f"{args.schedule} is not valid JSON: {exc}") from None
        from schoolot.scheduling.scorer import score

        result = score(instance, schedule)
        _write(result.to_dict(), None)
        return 0 if result.feasible else 1
    except InstanceError as exc:
        print(f"schoolot schedule: {exc}", file=sys.stderr)
        return 2
