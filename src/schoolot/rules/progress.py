"""Progress-monitoring maths for IEP goals: aim line, trend line, mastery, decision rules and
the goal's status in a progress report.

Sources: DOMAIN.md 3 (measurable goals; graphs with baseline, an aim line from baseline to the
target at the goal's end date, a trend line; decision rules: several consecutive points below
the aim line suggest changing the intervention, above it raising the goal). The common
curriculum-based measurement conventions: a trend needs at least 3 points and is fitted by
ordinary least squares over the latest points; 4 consecutive points on one side of the aim
line trigger a decision; mastery is a criterion met in N consecutive sessions (e.g. 80% in 3).

Direction: a goal where the target is below the baseline (fewer prompts, fewer minutes to
finish a task) improves downward; every rule here reads "better" in the goal's direction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[dt.date, float]

MASTERED = "mastered"
ON_TRACK = "progressing_expected"
AT_RISK = "progressing_may_not_meet"
NOT_PROGRESSING = "not_progressing"
NOT_INTRODUCED = "not_introduced"

STATUS_LABELS = {
    MASTERED: "Mastered",
    ON_TRACK: "Progressing, expected to meet the goal",
    AT_RISK: "Progressing, may not meet the goal",
    NOT_PROGRESSING: "Not progressing",
    NOT_INTRODUCED: "Not yet introduced",
}

CHANGE_INTERVENTION = "change_intervention"
RAISE_GOAL = "raise_goal"


class ProgressError(ValueError):
    """The goal's numbers cannot be read (e.g. it ends before it starts)."""


@dataclass(frozen=True)
class GoalLine:
    """A goal's straight line from its baseline at `start` to its target at `end`."""

    baseline: float
    target: float
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ProgressError("The goal must end after it starts.")

    @property
    def improves_upward(self) -> bool:
        return self.target >= self.baseline

    def value_on(self, day: dt.date) -> float:
        """The aim line's value on `day` (held at baseline before start, target after end)."""
        if day <= self.start:
            return self.baseline
        if day >= self.end:
            return self.target
        share = (day - self.start).days / (self.end - self.start).days
        return self.baseline + (self.target - self.baseline) * share

    def better(self, a: float, b: float) -> bool:
        """Whether `a` is strictly better than `b` in the goal's direction."""
        return a > b if self.improves_upward else a < b

    def at_least(self, value: float, level: float) -> bool:
        return value >= level if self.improves_upward else value <= level


@dataclass(frozen=True)
class Trend:
    slope_per_day: float
    intercept: float  # value at `origin`
    origin: dt.date
    points: int

    def value_on(self, day: dt.date) -> float:
        return self.intercept + self.slope_per_day * (day - self.origin).days


def trend(points: Sequence[Point], *, latest: int = 6, minimum: int = 3) -> Trend | None:
    """Ordinary least squares over the latest `latest` points; None with fewer than `minimum`
    points, or when all of them fall on one day (no slope to speak of)."""
    chosen = sorted(points)[-latest:]
    if len(chosen) < minimum:
        return None
    origin = chosen[0][0]
    xs = [(d - origin).days for d, _ in chosen]
    ys = [v for _, v in chosen]
    n = len(chosen)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return Trend(slope_per_day=slope, intercept=mean_y - slope * mean_x, origin=origin, points=n)


def mastered_on(
    points: Sequence[Point], *, line: GoalLine, criterion: float | None = None, consecutive: int = 3
) -> dt.date | None:
    """The date the criterion (default: the target) was first met in `consecutive`
    consecutive data points, or None."""
    level = line.target if criterion is None else criterion
    run = 0
    for day, value in sorted(points):
        run = run + 1 if line.at_least(value, level) else 0
        if run >= consecutive:
            return day
    return None


def decision(points: Sequence[Point], *, line: GoalLine, consecutive: int = 4) -> str | None:
    """The decision rule on the latest points: `consecutive` in a row worse than the aim line
    suggests changing the intervention; in a row better than it, raising the goal."""
    latest = sorted(points)[-consecutive:]
    if len(latest) < consecutive:
        return None
    if all(line.better(line.value_on(d), v) for d, v in latest):
        return CHANGE_INTERVENTION
    if all(line.better(v, line.value_on(d)) for d, v in latest):
        return RAISE_GOAL
    return None


def status(
    points: Sequence[Point],
    *,
    line: GoalLine,
    on: dt.date,
    criterion: float | None = None,
    consecutive: int = 3,
) -> str:
    """The goal's status for a progress report on `on`.

    - not yet introduced: no data point up to `on`;
    - mastered: the criterion met in `consecutive` consecutive points;
    - with a trend (3 points or more): expected to meet when the trend reaches the target by
      the goal's end date; otherwise progressing when the trend moves toward the target, not
      progressing when it is flat or moves away;
    - with 1-2 points: expected to meet when the latest point is at or better than the aim
      line, else may not meet.
    """
    seen = sorted(p for p in points if p[0] <= on)
    if not seen:
        return NOT_INTRODUCED
    if mastered_on(seen, line=line, criterion=criterion, consecutive=consecutive):
        return MASTERED
    fitted = trend(seen)
    if fitted is None:
        day, value = seen[-1]
        return ON_TRACK if line.at_least(value, line.value_on(day)) else AT_RISK
    improving = fitted.slope_per_day > 0 if line.improves_upward else fitted.slope_per_day < 0
    if not improving:
        return NOT_PROGRESSING
    if line.at_least(fitted.value_on(line.end), line.target):
        return ON_TRACK
    return AT_RISK
