"""Synthetic service delivery for the demo district: each therapist's week and its history.

Called by `directory.seed.district_seed` after the people and plans exist. Deterministic for
a given random generator; bulk inserts only, so the large district stays quick to seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from schoolot.delivery.models import (
    GoalDataPoint,
    MissedReason,
    ServiceCodeLine,
    Session,
    SessionStudent,
    WeeklySlot,
)
from schoolot.directory.models import CaseloadAssignment, District, School, SchoolYear, Staff
from schoolot.plans.models import Goal, MeasurementType, Plan, ServiceMandate

TRAVEL_MINUTES = 20
GAP_MINUTES = 5
DAY_OFFSET_MINUTES = 40  # arrival after the first bell: attendance, settling in
LUNCH_FROM, LUNCH_BY, LUNCH_MINUTES = 11 * 60, 13 * 60, 30  # the therapist's default lunch

ACTIVITIES = {
    "fine_motor": "Theraputty warm-up, tripod grasp with golf pencil, copying from near point.",
    "sensory": "Heavy-work circuit, calming corner check-in, Zones of Regulation review.",
    "self_care": "Zipper and button board, lunch container practice, backpack routine.",
    "social": "Turn-taking board game, hallway transition practice with visual schedule.",
    "assistive_tech": "Keyboarding practice (home row), speech-to-text dictation trial.",
}
ASSESSMENTS = [
    "Progressing toward goal with fading cues.",
    "Performance consistent with last session; continue current strategies.",
    "Improved accuracy when seated with feet supported.",
    "Needed more prompts today; student reported being tired.",
]


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _time(m: int) -> dt.time:
    return dt.time(m // 60, m % 60)


def weekly_slots_seed(
    *, district: District, rng: random.Random, today: dt.date | None = None
) -> list[WeeklySlot]:
    """A recurring week per therapist: weekly mandates placed as individual or group slots.

    Each therapist serves the students assigned to her (a COTA serves her own; an OTR those
    with no COTA). Group-allowed students at one school with the same session length share a
    slot up to their group size. Days are filled school by school with travel between, a
    30-minute lunch kept before 1:00, never in a student's protected time. Then each
    monthly, quarterly or yearly mandate gets its sessions of the 4-week rotation, one week
    of the rotation each, after the day's weekly sessions (held from the rotation holding
    `today`). Returns the weekly slots (the session history follows those; the rotation's
    history is `periodic_history_seed`'s).
    """
    from schoolot.directory.selectors import rotation_get
    from schoolot.rules.cycles import CYCLE_WEEKS, rotations_between, sessions_per_cycle
    from schoolot.schedules.services import ROTATION_PERIODS

    assignments = (
        CaseloadAssignment.objects.filter(district=district, end_date__isnull=True)
        .select_related("staff", "student")
        .order_by("student_id", "role")
    )
    server: dict[int, Staff] = {}
    for a in assignments:
        # The COTA row, when present, wins: she delivers the sessions.
        if a.student_id not in server or a.role == CaseloadAssignment.Role.COTA:
            server[a.student_id] = a.staff
    mandates = (
        ServiceMandate.objects.filter(
            district=district,
            plan__status=Plan.Status.ACTIVE,
            service=ServiceMandate.Service.OT,
            period=ServiceMandate.Period.WEEK,
        )
        .exclude(delivery_model=ServiceMandate.DeliveryModel.CONSULTATION)
        .select_related("plan__student")
        .order_by("pk")
    )
    schools = {s.pk: s for s in School.objects.filter(district=district)}
    # therapist -> list of (school_id, minutes, [student ids], setting, sessions per week)
    units: dict[int, list[tuple[int, int, list[int], str, int]]] = defaultdict(list)
    open_groups: dict[tuple, list] = {}
    for m in mandates:
        student = m.plan.student
        staff = server.get(student.pk)
        if staff is None:
            continue
        if m.group_allowed:
            key = (staff.pk, student.school_id, m.minutes_per_session, m.sessions_per_period)
            group = open_groups.get(key)
            if group is None or len(group[2]) >= min(group[5], m.max_group_size):
                group = [
                    student.school_id,
                    m.minutes_per_session,
                    [],
                    m.setting,
                    m.sessions_per_period,
                    m.max_group_size,
                ]
                open_groups[key] = group
                units[staff.pk].append(group)
            group[2].append(student.pk)
            group[5] = min(group[5], m.max_group_size)
        else:
            units[staff.pk].append(
                [
                    student.school_id,
                    m.minutes_per_session,
                    [student.pk],
                    m.setting,
                    m.sessions_per_period,
                    1,
                ]
            )

    # Monthly, quarterly and yearly mandates: one-student units of the 4-week rotation.
    rotation_now = rotation_get(district_id=district.pk, day=today)[0] if today else 0
    rotation_units: dict[int, list] = defaultdict(list)
    for m in (
        ServiceMandate.objects.filter(
            district=district,
            plan__status=Plan.Status.ACTIVE,
            service=ServiceMandate.Service.OT,
            period__in=ROTATION_PERIODS,
        )
        .exclude(delivery_model=ServiceMandate.DeliveryModel.CONSULTATION)
        .select_related("plan__student")
        .order_by("pk")
    ):
        student = m.plan.student
        staff = server.get(student.pk)
        if staff is None:
            continue
        item = [student.school_id, m.minutes_per_session, [student.pk], m.setting, 0, 1]
        per_cycle = sessions_per_cycle(sessions=m.sessions_per_period, period=m.period)
        every = rotations_between(sessions=m.sessions_per_period, period=m.period)
        rotation_units[staff.pk].append((item, per_cycle, every))

    # Students' protected time (the reading block), seeded before the week: never a session.
    from schoolot.schedules.models import ProtectedBlock
    from schoolot.schedules.selectors import weekdays_held

    protected: dict[int, list[tuple[int, int, list[int]]]] = defaultdict(list)
    for block in ProtectedBlock.objects.filter(district=district):
        protected[block.student_id].append(
            (_minutes(block.start), _minutes(block.end), weekdays_held(weekdays=block.weekdays))
        )

    def past_protected(weekday: int, students: list[int], start: int, minutes: int) -> int:
        """The first start at or after `start` that is in none of the students' protected time."""
        moved = True
        while moved:
            moved = False
            for sid in students:
                for lo, hi, days in protected.get(sid, ()):
                    if weekday in days and lo < start + minutes and start < hi:
                        start, moved = hi, True
        return start

    slots: list[WeeklySlot] = []
    members: list[tuple[int, list[int]]] = []
    for staff_id in [*units, *(k for k in rotation_units if k not in units)]:
        items = units.get(staff_id, [])
        rng.shuffle(items)
        days: dict[int, list] = defaultdict(list)
        load = [0] * 5
        for item in items:
            per_week = min(item[4], 5)
            # Spread a student's sessions: the least loaded days, not adjacent where possible.
            order = sorted(range(5), key=lambda d: (load[d], rng.random()))
            chosen: list[int] = []
            for d in order:
                if len(chosen) == per_week:
                    break
                if all(abs(d - c) > 1 for c in chosen) or len(order) - order.index(d) <= (
                    per_week - len(chosen)
                ):
                    chosen.append(d)
            for d in chosen:
                days[d].append(item)
                load[d] += item[1]
        state: dict[int, tuple[int | None, int | None]] = {}  # weekday -> (cursor, school)
        lunched: set[int] = set()  # weekdays whose lunch is kept
        overflow = []

        def place(
            weekday, item, rotation=None, staff_id=staff_id, state=state, lunched=lunched
        ) -> bool:
            school_id, minutes, students, setting, _per, _size = item
            school = schools[school_id]
            cursor, current_school = state.get(weekday, (None, None))
            if school_id != current_school:
                start_of_day = _minutes(school.day_start) + DAY_OFFSET_MINUTES
                cursor = (
                    start_of_day if cursor is None else max(start_of_day, cursor + TRAVEL_MINUTES)
                )
            cursor = past_protected(weekday, students, cursor, minutes)
            if weekday not in lunched and cursor + minutes > LUNCH_BY - LUNCH_MINUTES:
                # Her lunch before this session: the day so far ends by 12:30 (a session
                # ending later would have come here), so 30 free minutes fit before 1:00.
                lunched.add(weekday)
                if cursor <= LUNCH_BY - LUNCH_MINUTES:
                    cursor = max(cursor, LUNCH_FROM) + LUNCH_MINUTES
                else:
                    cursor = max(cursor, LUNCH_BY)
                cursor = past_protected(weekday, students, cursor, minutes)
            if cursor + minutes > _minutes(school.day_end) - 10:
                return False
            cycle_week, every, offset = rotation or (None, 1, 0)
            slots.append(
                WeeklySlot(
                    district=district,
                    therapist_id=staff_id,
                    weekday=weekday,
                    cycle_week=cycle_week,
                    every_rotations=every,
                    rotation_offset=offset,
                    start_time=_time(cursor),
                    end_time=_time(cursor + minutes),
                    school_id=school_id,
                    setting=setting,
                )
            )
            members.append((len(slots) - 1, students))
            state[weekday] = (cursor + minutes + GAP_MINUTES, school_id)
            return True

        for weekday in sorted(days):
            day_items = sorted(days[weekday], key=lambda it: it[0])  # school after school
            for item in day_items:
                if not place(weekday, item):
                    overflow.append((weekday, item))
        # A full day: try the end of another day (the scheduler will do this properly).
        for weekday, item in overflow:
            for other in sorted(range(5), key=lambda d: state.get(d, (0, None))[0] or 0):
                if other != weekday and place(other, item):
                    break
        # The rotation's sessions: the i-th in week i of four, after that week's day (each
        # week of the rotation its own lane from the weekly sessions on), least busy first.
        lanes = {k: (dict(state), set(lunched)) for k in range(1, CYCLE_WEEKS + 1)}
        for item, per_cycle, every in rotation_units.get(staff_id, []):
            for i in range(per_cycle):
                week_of = i % CYCLE_WEEKS + 1
                lane, lane_lunched = lanes[week_of]
                rotation = (week_of, every, rotation_now % every)
                for day in sorted(range(5), key=lambda d: lane.get(d, (0, None))[0] or 0):
                    if place(day, item, rotation, state=lane, lunched=lane_lunched):
                        break
    slots = WeeklySlot.objects.bulk_create(slots, batch_size=5000)
    Through = WeeklySlot.students.through
    Through.objects.bulk_create(
        [Through(weeklyslot_id=slots[i].pk, student_id=sid) for i, sids in members for sid in sids],
        batch_size=10000,
    )
    return [s for s in slots if s.cycle_week is None]


def _goal_value(goal: Goal, progress: float, rng: random.Random) -> Decimal:
    base = float(goal.baseline_value if goal.baseline_value is not None else 0)
    target = float(goal.target_value)
    value = base + (target - base) * progress + rng.gauss(0, abs(target - base) * 0.12 + 0.3)
    kind = goal.measurement_type
    if kind in (MeasurementType.PERCENT_TRIALS, MeasurementType.LEGIBILITY):
        value = min(100.0, max(0.0, value))
    elif kind == MeasurementType.PROMPT_LEVEL:
        value = float(min(5, max(0, round(value))))
    elif kind == MeasurementType.RUBRIC:
        value = float(min(4, max(0, round(value))))
    else:
        value = max(0.0, value)
    return Decimal(str(round(value, 1)))


def session_history_seed(
    *, district: District, rng: random.Random, today: dt.date, slots: list[WeeklySlot]
) -> int:
    """Sessions from each slot on every instructional day of the year so far, up to yesterday.

    Most are delivered and signed; some students are absent or unavailable (a share with a
    make-up owed, some of those made up), a therapist is sometimes out; the last days' notes
    are partly unsigned; COTA notes are co-signed except the most recent. Goal data drift from
    baseline toward target at a pace of the student's own. Returns the number of sessions.
    """
    year = (
        SchoolYear.objects.filter(district=district, first_day__lte=today)
        .prefetch_related("events")
        .order_by("-first_day")
        .first()
    )
    if year is None:
        return 0
    calendar = year.calendar()
    last = min(today - dt.timedelta(days=1), year.last_day)
    if last < year.first_day:
        return 0
    days_by_weekday: dict[int, list[dt.date]] = defaultdict(list)
    for day in calendar.instructional_days(year.first_day, last):
        days_by_weekday[day.weekday()].append(day)
    school_closed = {
        e.school_id: set(year.calendar(school_id=e.school_id).closed_days)
        for e in year.events.all()
        if e.school_id is not None
    }

    slot_students = defaultdict(list)
    for row in WeeklySlot.students.through.objects.filter(
        weeklyslot__district=district
    ).values_list("weeklyslot_id", "student_id"):
        slot_students[row[0]].append(row[1])
    plans = {
        p.student_id: p
        for p in Plan.objects.filter(district=district, status=Plan.Status.ACTIVE).prefetch_related(
            "mandates", "goals"
        )
    }
    staff = {
        s.pk: s for s in Staff.objects.filter(district=district, credential__in=["OTR/L", "COTA/L"])
    }
    pace = {sid: rng.uniform(0.4, 1.2) for sids in slot_students.values() for sid in sids}

    sessions: list[Session] = []
    entries: list[tuple[int, SessionStudent, list, list]] = []
    recent = today - dt.timedelta(days=4)
    for slot in slots:
        therapist = staff.get(slot.therapist_id)
        students = slot_students.get(slot.pk, [])
        if therapist is None or not students:
            continue
        for day in days_by_weekday.get(slot.weekday, []):
            if day in school_closed.get(slot.school_id, ()):
                continue  # her school alone was closed
            present_plans = [(sid, plans.get(sid)) for sid in students]
            present_plans = [
                (sid, p) for sid, p in present_plans if p and p.start_date <= day <= p.end_date
            ]
            if not present_plans:
                continue
            therapist_out = rng.random() < 0.02
            signed = day < recent or rng.random() < 0.5
            cosign = therapist.credential == "COTA/L"
            signed_at = (
                dt.datetime.combine(day, slot.end_time, tzinfo=dt.UTC) + dt.timedelta(hours=3)
                if signed
                else None
            )
            session = Session(
                district=district,
                therapist=therapist,
                school_id=slot.school_id,
                date=day,
                start_time=slot.start_time,
                end_time=slot.end_time,
                minutes=slot.minutes,
                kind=Session.Kind.GROUP if len(present_plans) > 1 else Session.Kind.INDIVIDUAL,
                setting=slot.setting,
                slot=slot,
                assessment=rng.choice(ASSESSMENTS),
                plan_next="Continue plan of care.",
                signed_at=signed_at,
                signed_by=therapist if signed else None,
                cosign_required=cosign and signed,
                cosigned_at=signed_at + dt.timedelta(days=1)
                if cosign and signed and day < today - dt.timedelta(days=10)
                else None,
                cosigned_by_id=therapist.supervising_otr_id
                if cosign and signed and day < today - dt.timedelta(days=10)
                else None,
            )
            sessions.append(session)
            present_count = 0
            parts = []
            for sid, plan in present_plans:
                mandate = next(
                    (
                        m
                        for m in plan.mandates.all()
                        if m.service == "ot"
                        and m.period == "week"
                        and m.delivery_model != "consultation"
                    ),
                    None,
                )
                if mandate is None:
                    continue
                roll = rng.random()
                if therapist_out:
                    reason = rng.choice(
                        [MissedReason.THERAPIST_ABSENT, MissedReason.THERAPIST_PULLED]
                    )
                elif roll < 0.07:
                    reason = MissedReason.STUDENT_ABSENT
                elif roll < 0.10:
                    reason = MissedReason.STUDENT_UNAVAILABLE
                else:
                    reason = ""
                present = not reason
                present_count += present
                parts.append((sid, plan, mandate, reason))
            for sid, plan, mandate, reason in parts:
                present = not reason
                entry = SessionStudent(
                    district=district,
                    student_id=sid,
                    mandate=mandate,
                    attendance="present" if present else "missed",
                    minutes=slot.minutes,
                    missed_reason=reason,
                    # Misses on the school's side are owed; a student's absence sometimes.
                    makeup_owed=not present
                    and (reason != MissedReason.STUDENT_ABSENT or rng.random() < 0.3),
                    date=day,
                )
                codes, points = [], []
                if present:
                    code = (
                        "97150"
                        if present_count > 1
                        else (
                            "97535"
                            if any(g.domain == "self_care" for g in plan.goals.all())
                            else "97530"
                        )
                    )
                    codes.append((code, slot.minutes))
                    span = max(1, (plan.end_date - plan.start_date).days)
                    progress = min(1.0, (day - plan.start_date).days / span * pace[sid] * 1.3)
                    for goal in plan.goals.all():
                        if rng.random() < 0.75:
                            value = _goal_value(goal, progress, rng)
                            correct = incorrect = None
                            if goal.measurement_type == MeasurementType.PERCENT_TRIALS:
                                trials = 10
                                correct = int(round(float(value) / 100 * trials))
                                incorrect = trials - correct
                                value = Decimal(correct * 10)
                            points.append((goal, value, correct, incorrect))
                entries.append((len(sessions) - 1, entry, codes, points))
            if not parts:
                sessions.pop()
    saved = Session.objects.bulk_create(sessions, batch_size=5000)
    rows = []
    for index, entry, _codes, _points in entries:
        entry.session = saved[index]
        rows.append(entry)
    rows = SessionStudent.objects.bulk_create(rows, batch_size=5000)
    # Make up about half of the owed entries with a later present entry of the same student.
    owed = [e for e in rows if e.makeup_owed]
    later = defaultdict(list)
    for e in rows:
        if e.attendance == "present":
            later[e.student_id].append(e)
    linked = []
    used = set()
    for e in owed:
        if rng.random() < 0.5:
            continue
        candidate = next(
            (x for x in later[e.student_id] if x.date > e.date and x.pk not in used), None
        )
        if candidate is not None:
            candidate.makeup_for_id = e.pk
            used.add(candidate.pk)
            linked.append(candidate)
    SessionStudent.objects.bulk_update(linked, ["makeup_for"], batch_size=5000)

    code_lines, data_points = [], []
    goal_domains = {}
    for (_index, _entry, codes, points), row in zip(entries, rows, strict=True):
        for code, minutes in codes:
            code_lines.append(
                ServiceCodeLine(district=district, entry=row, code=code, minutes=minutes)
            )
        for goal, value, correct, incorrect in points:
            goal_domains[row.session_id] = goal.domain
            data_points.append(
                GoalDataPoint(
                    district=district,
                    entry=row,
                    goal=goal,
                    measurement_type=goal.measurement_type,
                    value=value,
                    correct=correct,
                    incorrect=incorrect,
                    date=row.date,
                )
            )
    ServiceCodeLine.objects.bulk_create(code_lines, batch_size=10000)
    GoalDataPoint.objects.bulk_create(data_points, batch_size=10000)
    for s in saved:
        domain = goal_domains.get(s.pk)
        if domain:
            s.activities = ACTIVITIES[domain]
            s.objective = "Data recorded per goal; see the table."
    Session.objects.bulk_update(
        [s for s in saved if s.activities], ["activities", "objective"], batch_size=5000
    )
    return len(saved)


def periodic_history_seed(*, district: District, rng: random.Random, today: dt.date) -> int:
    """Sessions for monthly and quarterly direct mandates, and consultations for consultation
    mandates, spread over each period's instructional days up to yesterday. About one in ten
    is left undone, so the ledger shows shortfalls. Returns the number of records made."""
    from schoolot.delivery.models import Consultation, ConsultationStudent
    from schoolot.rules import minutes as ledger_rules

    year = (
        SchoolYear.objects.filter(district=district, first_day__lte=today)
        .prefetch_related("events")
        .order_by("-first_day")
        .first()
    )
    if year is None:
        return 0
    calendars = {}  # each school's: its own closures too
    quarters = [
        ledger_rules.Period(p.start_date, p.end_date, p.name)
        for p in year.reporting_periods.order_by("start_date")
    ]
    school_year = ledger_rules.Period(year.first_day, year.last_day, year.name)
    yesterday = today - dt.timedelta(days=1)
    server: dict[int, Staff] = {}
    for a in (
        CaseloadAssignment.objects.filter(district=district, end_date__isnull=True)
        .select_related("staff")
        .order_by("student_id", "role")
    ):
        if a.student_id not in server or a.role == CaseloadAssignment.Role.COTA:
            server[a.student_id] = a.staff
    mandates = (
        ServiceMandate.objects.filter(district=district, plan__status=Plan.Status.ACTIVE)
        .exclude(period=ServiceMandate.Period.WEEK)
        .select_related("plan__student__school")
        .order_by("pk")
    )
    sessions, parts, consults, consult_students = [], [], [], []
    for n, m in enumerate(mandates):
        student = m.plan.student
        staff = server.get(student.pk)
        if staff is None:
            continue
        start = max(m.start_date, year.first_day)
        end = min(m.end_date, yesterday)
        for period in ledger_rules.periods_between(
            start, end, m.period, quarters=quarters, year=school_year
        ):
            if student.school_id not in calendars:
                calendars[student.school_id] = year.calendar(school_id=student.school_id)
            days = calendars[student.school_id].instructional_days(
                max(period.start, m.start_date), min(period.end, m.end_date)
            )
            if not days:
                continue
            for k in range(m.sessions_per_period):
                day = days[min(len(days) - 1, int((k + 0.5) * len(days) / m.sessions_per_period))]
                if day > yesterday or rng.random() < 0.1:
                    continue
                begin = _minutes(student.school.day_end) - 75 + (n % 3) * 5
                if m.service == ServiceMandate.Service.OT_CONSULT:
                    consults.append(
                        Consultation(
                            district=district,
                            therapist=staff,
                            date=day,
                            start_time=_time(begin),
                            end_time=_time(begin + m.minutes_per_session),
                            minutes=m.minutes_per_session,
                            with_name="Classroom teacher",
                            with_role="gened_teacher",
                            domain="sensory",
                            topic=f"Classroom strategies for {student.first_name}",
                            strategies="Movement breaks every 20 minutes; seat away from the door.",
                            signed_at=dt.datetime.combine(day, _time(begin), tzinfo=dt.UTC),
                        )
                    )
                    consult_students.append((len(consults) - 1, student, m))
                else:
                    sessions.append(
                        Session(
                            district=district,
                            therapist=staff,
                            school_id=student.school_id,
                            date=day,
                            start_time=_time(begin),
                            end_time=_time(begin + m.minutes_per_session),
                            minutes=m.minutes_per_session,
                            kind=Session.Kind.INDIVIDUAL,
                            setting=m.setting,
                            assessment=rng.choice(ASSESSMENTS),
                            plan_next="Continue plan of care.",
                            signed_at=dt.datetime.combine(day, _time(begin), tzinfo=dt.UTC)
                            + dt.timedelta(hours=4),
                            signed_by=staff,
                        )
                    )
                    parts.append((len(sessions) - 1, student, m))
    saved = Session.objects.bulk_create(sessions, batch_size=5000)
    entries = SessionStudent.objects.bulk_create(
        [
            SessionStudent(
                district=district,
                session=saved[i],
                student=s,
                mandate=m,
                attendance="present",
                minutes=m.minutes_per_session,
                date=saved[i].date,
            )
            for i, s, m in parts
        ],
        batch_size=5000,
    )
    ServiceCodeLine.objects.bulk_create(
        [
            ServiceCodeLine(district=district, entry=e, code="97530", minutes=e.minutes)
            for e in entries
        ],
        batch_size=5000,
    )
    saved_consults = Consultation.objects.bulk_create(consults, batch_size=5000)
    ConsultationStudent.objects.bulk_create(
        [
            ConsultationStudent(
                district=district,
                consultation=saved_consults[i],
                student=s,
                mandate=m,
                minutes=m.minutes_per_session,
                date=saved_consults[i].date,
            )
            for i, s, m in consult_students
        ],
        batch_size=5000,
    )
    return len(saved) + len(saved_consults)
