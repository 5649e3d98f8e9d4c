"""Running a CP-SAT model so that another thread can end it early."""

from __future__ import annotations

import threading

from ortools.sat.python import cp_model

POLL_SECONDS = 0.05  # how often the watcher looks at `stop` while the model is solved


def solve_stoppable(
    solver: cp_model.CpSolver, model: cp_model.CpModel, stop: threading.Event | None
) -> int:
    """`solver.Solve(model)`, ended within about POLL_SECONDS once `stop` is set (by any
    thread): CP-SAT then returns as at its time limit, with the best solution and bound found
    so far. `stop` None: a plain Solve.

    The watcher asks CP-SAT to stop again at every poll after `stop` is set, because a stop
    asked before the solve has begun is not kept by it."""
    if stop is None:
        return solver.Solve(model)
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(POLL_SECONDS):
            if stop.is_set():
                solver.stop_search()

    watcher = threading.Thread(target=watch, name="cp-sat-stop", daemon=True)
    watcher.start()
    try:
        return solver.Solve(model)
    finally:
        finished.set()
        watcher.join()
