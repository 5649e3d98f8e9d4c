"""A goal's progress-monitoring graph as server-rendered SVG, with the data as a table.

The graph shows the data points by date, the baseline, the aim line from baseline (at the
plan's start) to the target (at the goal's end date), the trend line (least squares over the
latest points, with 3 or more), the mastery criterion, and the decision rule's flag. Data the
graph cannot honestly plot is said in words: none yet, too few for a trend, points outside
the goal's dates, points taken under another measurement type.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from schoolot.delivery.models import GoalDataPoint
from schoolot.plans.models import Goal, MeasurementType
from schoolot.rules import progress as rules

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36

FIXED_RANGES = {
    MeasurementType.PERCENT_TRIALS: (0.0, 100.0),
    MeasurementType.LEGIBILITY: (0.0, 100.0),
    MeasurementType.PROMPT_LEVEL: (0.0, 5.0),
    MeasurementType.RUBRIC: (0.0, 4.0),
}


@dataclass
class GoalGraph:
    goal: Goal
    points: list[tuple[dt.date, float]]
    line: rules.GoalLine | None
    trend: rules.Trend | None
    status: str
    decision: str | None
    mastered_on: dt.date | None
    notes: list[str] = field(default_factory=list)
    svg: SafeString = mark_safe("")  # noqa: S308 - empty

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.status]

    @property
    def latest(self) -> tuple[dt.date, float] | None:
        return self.points[-1] if self.points else None


def goal_graph(*, goal: Goal, on: dt.date, data: list[GoalDataPoint] | None = None) -> GoalGraph:
    """The graph of `goal` as of `on`. `data` may be given (prefetched); else it is read."""
    if data is None:
        data = list(GoalDataPoint.objects.filter(goal=goal).order_by("date", "pk"))
    start = goal.plan.start_date
    notes: list[str] = []
    other_type = [d for d in data if d.measurement_type != goal.measurement_type]
    outside = [
        d
        for d in data
        if d.measurement_type == goal.measurement_type and not start <= d.date <= goal.end_date
    ]
    points = sorted(
        (d.date, float(d.value))
        for d in data
        if d.measurement_type == goal.measurement_type
        and start <= d.date <= goal.end_date
        and d.date <= on
    )
    if other_type:
        last = max(d.date for d in other_type)
        notes.append(
            f"{len(other_type)} earlier data point{'s' if len(other_type) != 1 else ''} "
            f"(to {last:%b %-d, %Y}) used another measurement type and are not plotted: the "
            f"goal is now measured as {goal.get_measurement_type_display().lower()}."
        )
    if outside:
        notes.append(
            f"{len(outside)} data point{'s' if len(outside) != 1 else ''} fall outside "
            f"the goal's dates ({start:%b %-d, %Y} to {goal.end_date:%b %-d, %Y}) "
            "and are not plotted."
        )
    line = None
    if goal.baseline_value is not None and goal.end_date > start:
        line = rules.GoalLine(
            baseline=float(goal.baseline_value),
            target=float(goal.target_value),
            start=start,
            end=goal.end_date,
        )
    elif goal.baseline_value is None:
        notes.append("No baseline value was recorded, so there is no aim line.")
    if not points:
        notes.append("No data yet.")
    elif len(points) < 3:
        notes.append(
            f"{len(points)} data point{'s' if len(points) != 1 else ''}: a trend needs at least 3."
        )
    fitted = rules.trend(points)
    if line is not None:
        state = rules.status(points, line=line, on=on)
        flag = rules.decision(points, line=line)
        mastered = rules.mastered_on(points, line=line)
    else:
        state = rules.NOT_INTRODUCED if not points else rules.AT_RISK
        flag, mastered = None, None
    graph = GoalGraph(
        goal=goal,
        points=points,
        line=line,
        trend=fitted,
        status=state,
        decision=flag,
        mastered_on=mastered,
        notes=notes,
    )
    graph.svg = _svg(graph, start=start, end=goal.end_date)
    return graph


def _svg(graph: GoalGraph, *, start: dt.date, end: dt.date) -> SafeString:
    goal = graph.goal
    values = [v for _, v in graph.points]
    if graph.line:
        values += [graph.line.baseline, graph.line.target]
    low, high = FIXED_RANGES.get(goal.measurement_type, (None, None))
    if low is None:
        low = min([0.0, *values]) if values else 0.0
        high = max(values) * 1.15 if values and max(values) > 0 else 10.0
    span_days = max(1, (end - start).days)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: dt.date) -> float:
        return LEFT + plot_w * min(max((day - start).days, 0), span_days) / span_days

    def y(value: float) -> float:
        value = min(max(value, low), high)
        return TOP + plot_h * (1 - (value - low) / ((high - low) or 1))

    parts = [
        format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#fff" stroke="#c9d1db"/>',
            LEFT,
            TOP,
            plot_w,
            plot_h,
        ),
    ]
    for i in range(5):
        value = low + (high - low) * i / 4
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#eef1f4"/>'
                '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#555">{}</text>',
                LEFT,
                LEFT + plot_w,
                f"{y(value):.1f}",
                f"{y(value):.1f}",
                LEFT - 6,
                f"{y(value) + 4:.1f}",
                f"{value:g}",
            )
        )
    for day, label in [(start, f"{start:%b %-d}"), (end, f"{end:%b %-d, %Y}")]:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#555">{}</text>',
                f"{x(day):.1f}",
                HEIGHT - 14,
                label,
            )
        )
    if graph.line:
        line = graph.line
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#5b6b7f" stroke-dasharray="6 4" '
                'stroke-width="2"><title>Aim line</title></line>',
                f"{x(start):.1f}",
                f"{y(line.baseline):.1f}",
                f"{x(end):.1f}",
                f"{y(line.target):.1f}",
            )
        )
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#1b6e3a" stroke-width="1">'
                "<title>Mastery criterion</title></line>",
                LEFT,
                f"{y(line.target):.1f}",
                LEFT + plot_w,
                f"{y(line.target):.1f}",
            )
        )
    if graph.trend and graph.points:
        first, last = graph.points[-graph.trend.points][0], graph.points[-1][0]
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#b7791f" stroke-width="2">'
                "<title>Trend</title></line>",
                f"{x(first):.1f}",
                f"{y(graph.trend.value_on(first)):.1f}",
                f"{x(last):.1f}",
                f"{y(graph.trend.value_on(last)):.1f}",
            )
        )
    if len(graph.points) > 1:
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in graph.points)
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="#0b5cad" stroke-width="1.5"/>', path
            )
        )
    for day, value in graph.points:
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="4" fill="#0b5cad"><title>{}: {}</title></circle>',
                f"{x(day):.1f}",
                f"{y(value):.1f}",
                f"{day:%b %-d}",
                f"{value:g}",
            )
        )
    title = f"Progress on: {goal.text[:80]}"
    description = f"{len(graph.points)} data points; status: {graph.status_label}." + (
        " " + " ".join(graph.notes) if graph.notes else ""
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" '
        'role="img" aria-labelledby="g{}-title g{}-desc"><title id="g{}-title">{}</title>'
        '<desc id="g{}-desc">{}</desc>{}</svg>',
        WIDTH,
        HEIGHT,
        goal.pk,
        goal.pk,
        goal.pk,
        title,
        goal.pk,
        description,
        mark_safe("".join(str(p) for p in parts)),  # noqa: S308 - each part is escaped
    )
