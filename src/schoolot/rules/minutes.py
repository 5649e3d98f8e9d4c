"""The minutes ledger: what a service mandate requires in each of its periods, and where every
required minute went.

Sources: IDEA requires the services in the IEP to be provided as written (34 CFR 300.323(c)(2),
300.320(a)(7): frequency, location and duration); federal guidance leaves make-up of missed
sessions to the IEP team (no blanket policy). DOMAIN.md 1 (mandates such as "2 x 30 min
weekly") and the compliance issue (pace = required x elapsed instructional days / instructional
days in the period).

Contract of a period's line (`LedgerLine`):
- required: minutes_per_session x sessions_per_period, prorated by the share of the period's
  instructional days that fall inside the mandate's dates. With proration
  "instructional_days" (the default) a week with holidays requires its share of a five-day
  week (a 4-day week: 4/5); months, quarters and years are prorated by the mandate's dates
  only. A period with no instructional day (a week of winter break) requires 0.
- delivered: minutes delivered in the period that are not make-ups.
- made_up: minutes of later (or same-period) make-ups credited to this period's missed entries,
  each missed entry credited at most its own minutes: a make-up counts once. Make-up minutes
  beyond what they make up count as delivered in the make-up's own period.
- covered = min(required, delivered + made_up); excess = the rest of delivered + made_up:
  minutes beyond the mandate are shown, not lost.
- missed: minutes missed in the period, by reason; owed: of those marked make-up owed, the
  minutes not yet made up.
- required = covered + missed_short + to_come, where missed_short is the shortfall explained
  by missed entries and to_come the rest (still to be delivered while the period runs; after
  it ends, minutes neither delivered nor logged as missed).
- fidelity: covered / required (None when nothing is required); fidelity_to_date: delivered
  against what pace expects by today (the fair figure while a period runs).
- pace: expected = required x elapsed instructional days / instructional days in the period;
  behind when delivered + made_up is under it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from schoolot.rules.calendar import SchoolCalendar

WEEK, MONTH, QUARTER, YEAR = "week", "month", "quarter", "year"
PERIODS = (WEEK, MONTH, QUARTER, YEAR)
DELIVERED, MISSED = "delivered", "missed"
PRORATE_INSTRUCTIONAL = "instructional_days"
PRORATE_NONE = "none"


class MinutesError(ValueError):
    """The mandate or the entries cannot make a ledger; the message says why."""


@dataclass(frozen=True)
class Mandate:
    minutes_per_session: int
    sessions_per_period: int
    period: str
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.minutes_per_session <= 0:
            raise MinutesError(
                "A mandate of zero minutes requires nothing: give the minutes per session."
            )
        if self.sessions_per_period <= 0:
            raise MinutesError("A mandate needs at least one session per period.")
        if self.period not in PERIODS:
            raise MinutesError(f"Unknown period {self.period!r}: week, month, quarter or year.")
        if self.end < self.start:
            raise MinutesError("The mandate ends before it starts.")

    @property
    def minutes_per_period(self) -> int:
        return self.minutes_per_session * self.sessions_per_period


@dataclass(frozen=True)
class Entry:
    """A student's part in one session: delivered minutes, or missed minutes with a reason.
    `makeup_for` names the missed entry a delivered entry makes up."""

    id: int
    date: dt.date
    kind: str
    minutes: int
    reason: str = ""
    makeup_owed: bool = False
    makeup_for: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in (DELIVERED, MISSED):
            raise MinutesError(f"Entry {self.id}: kind is delivered or missed.")
        if self.minutes < 0:
            raise MinutesError(f"Entry {self.id}: minutes cannot be negative.")
        if self.kind == MISSED and not self.reason:
            raise MinutesError(f"Entry {self.id}: a missed entry needs its reason.")
        if self.kind == MISSED and self.makeup_for is not None:
            raise MinutesError(f"Entry {self.id}: a missed entry cannot be a make-up.")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    name: str = ""


@dataclass
class LedgerLine:
    period: Period
    required: int
    delivered: int
    made_up: int
    missed: dict[str, int] = field(default_factory=dict)
    owed: int = 0
    expected_by_now: int = 0
    finished: bool = False

    @property
    def credited(self) -> int:
        return self.delivered + self.made_up

    @property
    def covered(self) -> int:
        return min(self.required, self.credited)

    @property
    def excess(self) -> int:
        return self.credited - self.covered

    @property
    def missed_total(self) -> int:
        return sum(self.missed.values())

    @property
    def missed_short(self) -> int:
        """The part of the shortfall explained by missed minutes not made up."""
        return min(self.required - self.covered, max(0, self.missed_total - self.made_up))

    @property
    def to_come(self) -> int:
        return self.required - self.covered - self.missed_short

    @property
    def fidelity(self) -> float | None:
        return None if self.required == 0 else 100 * self.covered / self.required

    @property
    def behind_pace(self) -> bool:
        return self.credited < self.expected_by_now

    @property
    def covered_to_date(self) -> int:
        """Delivered minutes counted up to what was expected by now."""
        return min(self.credited, self.expected_by_now)

    @property
    def fidelity_to_date(self) -> float | None:
        """Delivered against what pace expects by today: the fair measure mid-period."""
        if self.expected_by_now == 0:
            return None
        return 100 * self.covered_to_date / self.expected_by_now


# -- periods ----------------------------------------------------------------------------------


def period_of(
    day: dt.date, period: str, *, quarters: Sequence[Period] = (), year: Period | None = None
) -> Period:
    """The period of kind `period` containing `day`: the Monday-Sunday week, the calendar
    month, the district's quarter (reporting period), or the school year."""
    if period == WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        return Period(monday, monday + dt.timedelta(days=6), f"Week of {monday:%b %-d}")
    if period == MONTH:
        first = day.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return Period(first, following - dt.timedelta(days=1), f"{first:%B %Y}")
    if period == QUARTER:
        for q in quarters:
            if q.start <= day <= q.end:
                return q
        raise MinutesError(f"{day:%b %-d, %Y} is in none of the district's reporting periods.")
    if period == YEAR:
        if year is None or not year.start <= day <= year.end:
            raise MinutesError(f"{day:%b %-d, %Y} is outside the school year given.")
        return year
    raise MinutesError(f"Unknown period {period!r}.")


def periods_between(
    start: dt.date,
    end: dt.date,
    period: str,
    *,
    quarters: Sequence[Period] = (),
    year: Period | None = None,
) -> list[Period]:
    """The periods of kind `period` that overlap [start, end], in order."""
    if end < start:
        return []
    if period == QUARTER:
        return [
            q for q in sorted(quarters, key=lambda q: q.start) if q.start <= end and q.end >= start
        ]
    if period == YEAR:
        return [year] if year and year.start <= end and year.end >= start else []
    result, day = [], start
    while day <= end:
        p = period_of(day, period)
        result.append(p)
        day = p.end + dt.timedelta(days=1)
    return result


def _round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves up (exact integers)."""
    return (2 * numerator + denominator) // (2 * denominator)


def required_minutes(
    mandate: Mandate,
    period: Period,
    calendar: SchoolCalendar,
    proration: str = PRORATE_INSTRUCTIONAL,
) -> int:
    """Minutes the mandate requires in `period` (see the module contract), rounded to the
    nearest minute (halves up)."""
    if proration not in (PRORATE_INSTRUCTIONAL, PRORATE_NONE):
        raise MinutesError(f"Unknown proration {proration!r}.")
    in_period = calendar.count_instructional(period.start, period.end)
    if in_period == 0:
        return 0
    lo, hi = max(period.start, mandate.start), min(period.end, mandate.end)
    in_force = calendar.count_instructional(lo, hi) if lo <= hi else 0
    numerator, denominator = in_force, in_period
    if proration == PRORATE_INSTRUCTIONAL and period.end - period.start <= dt.timedelta(days=6):
        # A short week (holidays) requires its share of a full five-day week.
        full = len(calendar.weekdays) or 5
        if in_force < full:
            numerator, denominator = in_force, full
    return _round_half_up(mandate.minutes_per_period * numerator, denominator)


# -- the ledger -------------------------------------------------------------------------------


def ledger(
    *,
    mandate: Mandate,
    periods: Sequence[Period],
    entries: Iterable[Entry],
    calendar: SchoolCalendar,
    today: dt.date,
    proration: str = PRORATE_INSTRUCTIONAL,
) -> list[LedgerLine]:
    """One line per period (see the module contract). Entries outside every period given are
    ignored; a make-up whose missed entry is unknown counts as delivered."""
    entries = sorted(entries, key=lambda e: (e.date, e.id))
    by_id = {e.id: e for e in entries}
    if len(by_id) != len(entries):
        raise MinutesError("Two entries share an id.")

    def index_of(day: dt.date) -> int | None:
        for i, p in enumerate(periods):
            if p.start <= day <= p.end:
                return i
        return None

    lines = []
    for p in periods:
        elapsed_end = min(today, p.end)
        total_days = calendar.count_instructional(p.start, p.end)
        elapsed = (
            calendar.count_instructional(p.start, elapsed_end) if elapsed_end >= p.start else 0
        )
        required = required_minutes(mandate, p, calendar, proration)
        expected = _round_half_up(required * elapsed, total_days) if total_days else 0
        lines.append(
            LedgerLine(
                period=p,
                required=required,
                delivered=0,
                made_up=0,
                expected_by_now=expected,
                finished=today > p.end,
            )
        )

    credited_to: dict[int, int] = defaultdict(int)  # missed entry id -> minutes made up
    for e in entries:
        if e.kind == MISSED:
            i = index_of(e.date)
            if i is not None:
                line = lines[i]
                line.missed[e.reason] = line.missed.get(e.reason, 0) + e.minutes
        else:
            target = by_id.get(e.makeup_for) if e.makeup_for is not None else None
            remaining = e.minutes
            if target is not None and target.kind == MISSED:
                room = target.minutes - credited_to[target.id]
                credit = min(room, remaining)
                if credit > 0:
                    credited_to[target.id] += credit
                    remaining -= credit
                    i = index_of(target.date)
                    if i is not None:
                        lines[i].made_up += credit
            if remaining:
                i = index_of(e.date)
                if i is not None:
                    lines[i].delivered += remaining
    for e in entries:
        if e.kind == MISSED and e.makeup_owed:
            i = index_of(e.date)
            if i is not None:
                lines[i].owed += e.minutes - credited_to[e.id]
    return lines


@dataclass
class LedgerSum:
    required: int = 0
    covered: int = 0
    delivered: int = 0
    made_up: int = 0
    excess: int = 0
    missed: dict[str, int] = field(default_factory=dict)
    owed: int = 0
    to_come: int = 0
    expected_by_now: int = 0
    covered_to_date: int = 0
    behind: int = 0  # lines behind pace

    @property
    def fidelity(self) -> float | None:
        return None if self.required == 0 else 100 * self.covered / self.required

    @property
    def fidelity_to_date(self) -> float | None:
        if self.expected_by_now == 0:
            return None
        return 100 * self.covered_to_date / self.expected_by_now

    def add(self, line: LedgerLine) -> LedgerSum:
        self.required += line.required
        self.covered += line.covered
        self.delivered += line.delivered
        self.made_up += line.made_up
        self.excess += line.excess
        for reason, minutes in line.missed.items():
            self.missed[reason] = self.missed.get(reason, 0) + minutes
        self.owed += line.owed
        self.to_come += line.to_come
        self.expected_by_now += line.expected_by_now
        self.covered_to_date += line.covered_to_date
        self.behind += line.behind_pace
        return self


def ledger_sum(lines: Iterable[LedgerLine]) -> LedgerSum:
    """Totals over lines (a student's mandates, a therapist's students, a school, a district).
    Fidelity of a sum is covered over required of the whole, not an average of percents."""
    total = LedgerSum()
    for line in lines:
        total.add(line)
    return total
