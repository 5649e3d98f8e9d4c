"""The drives, lunch and planning time her week implies (schedules.selectors.week_breaks_get),
drawn on My week's calendar and summed under each day: a drive between stops at different
schools (sessions, fixed time held at a school) for the travel time the scheduler uses, never
past the next stop; lunch at the earliest free stretch of its window, over a drive only when
nothing else is free, none when the window is full; planning likewise within her hours,
apart from lunch."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schoolot.delivery.models import WeeklySlot
from schoolot.schedules.models import Availability, Commitment, LunchAndPlanning
from schoolot.schedules.selectors import DayBreak, week_breaks_get
from tests.factories import far_student_make, weekly_slot_make


@pytest.fixture
def week(world):
    """Her own student at her school, and one of hers at the middle school, 20 minutes away."""
    far_student_make(world=world)
    return world


def _slot(week, weekday, start, *, far=False, minutes=30, cycle_week=None):
    slot = weekly_slot_make(
        world=week, weekday=weekday, start=start, minutes=minutes, student="far" if far else "own"
    )
    slot.school = week.other_school if far else week.school
    slot.cycle_week = cycle_week
    slot.save()
    return slot


def _breaks(week, django_assert_num_queries=None, queries=2):
    staff = week.staff["therapist"]
    slots = list(WeeklySlot.objects.filter(therapist=staff).select_related("school"))
    commitments = list(
        Commitment.objects.filter(staff=staff, on__isnull=True).select_related("school")
    )
    if django_assert_num_queries is None:
        return week_breaks_get(staff=staff, slots=slots, commitments=commitments)
    with django_assert_num_queries(queries):  # travel times, her lunch (and her hours)
        return week_breaks_get(staff=staff, slots=slots, commitments=commitments)


def _at(hour, minute=0):
    return hour * 60 + minute


def test_a_drive_between_schools_and_lunch_after_it(week, django_assert_num_queries):
    _slot(week, 0, dt.time(9))
    _slot(week, 0, dt.time(10), far=True)
    far_name = week.other_school.name
    assert _breaks(week, django_assert_num_queries) == {
        0: [
            DayBreak("drive", _at(9, 30), _at(9, 50), f"20 min to {far_name}"),
            DayBreak("lunch", _at(11), _at(11, 30), "Lunch"),
        ]
    }


def test_a_drive_never_runs_past_the_next_stop(week):
    _slot(week, 1, dt.time(9))
    _slot(week, 1, dt.time(9, 40), far=True)  # 10 minutes for a 20-minute drive
    drive = _breaks(week)[1][0]
    assert (drive.start, drive.end, drive.label) == (
        _at(9, 30),
        _at(9, 40),
        f"20 min to {week.other_school.name}",
    )


def test_lunch_over_a_drive_only_when_nothing_else_is_free_and_none_when_full(week):
    LunchAndPlanning.objects.create(
        district=week.district,
        staff=week.staff["therapist"],
        lunch_from=dt.time(11),
        lunch_until=dt.time(11, 30),
        lunch_minutes=30,
    )
    _slot(week, 2, dt.time(10, 30))
    _slot(week, 2, dt.time(11, 30), far=True)  # the drive takes 11:00-11:20
    lunch = [b for b in _breaks(week)[2] if b.kind == "lunch"]
    assert [(b.start, b.end) for b in lunch] == [(_at(11), _at(11, 30))]
    _slot(week, 3, dt.time(11))  # the whole window taken by a session
    assert [b.kind for b in _breaks(week)[3]] == []


def test_fixed_time_at_a_school_is_a_stop_and_rotation_slots_are_left_out(week):
    Commitment.objects.create(
        district=week.district,
        staff=week.staff["therapist"],
        label="IEP meeting",
        weekdays="4",
        start=dt.time(8),
        end=dt.time(8, 45),
        school=week.other_school,
    )
    _slot(week, 4, dt.time(9, 30))
    _slot(week, 4, dt.time(13), cycle_week=2, far=True)  # one week in four: no daily drive
    _slot(week, 4, dt.time(11), cycle_week=3)  # lunch moves past it, to hold every week
    breaks = _breaks(week)[4]
    assert [(b.kind, b.start, b.end, b.label) for b in breaks] == [
        ("drive", _at(8, 45), _at(9, 5), f"20 min to {week.school.name}"),
        ("lunch", _at(11, 30), _at(12), "Lunch"),
    ]


def test_a_rotation_session_held_in_every_week_is_a_stop(week, django_assert_num_queries):
    """A session the rotation holds at one time and school in each of its four weeks (8 a
    quarter is 4 a rotation) is where she is every week: the drive to it counts, and lunch
    falls clear of it. A set missing a week, or skipping rotations, is still one week in
    four."""
    _slot(week, 2, dt.time(9, 30))
    for cycle_week in (1, 2, 3, 4):
        _slot(week, 2, dt.time(11), cycle_week=cycle_week, far=True)
    for cycle_week in (1, 2, 3):  # week 4 missing
        _slot(week, 2, dt.time(13), cycle_week=cycle_week)
    skipping = [_slot(week, 3, dt.time(9), cycle_week=k, far=True) for k in (1, 2, 3, 4)]
    _slot(week, 3, dt.time(10, 30))
    WeeklySlot.objects.filter(pk__in=[s.pk for s in skipping]).update(every_rotations=2)
    breaks = _breaks(week, django_assert_num_queries)
    assert [(b.kind, b.start, b.end, b.label) for b in breaks[2]] == [
        ("drive", _at(10), _at(10, 20), f"20 min to {week.other_school.name}"),
        ("lunch", _at(11, 30), _at(12), "Lunch"),
    ]
    assert [b.kind for b in breaks[3]] == ["lunch"]  # every second rotation: no daily drive


def test_rotation_every_week_sets_share_time_school_and_what_is_asked():
    """rotation_every_week groups rotation slots by weekday, start, end and school, keeps
    the sets that cover each week of the rotation once, every rotation, and splits them by
    what `alike` adds."""
    from types import SimpleNamespace as Slot

    from schoolot.schedules.selectors import rotation_every_week

    def slot(pk, week, *, school=1, every=1, who="a"):
        return Slot(
            pk=pk,
            weekday=0,
            start_time=dt.time(9),
            end_time=dt.time(9, 30),
            school_id=school,
            cycle_week=week,
            every_rotations=every,
            who=who,
        )

    four = [slot(k, k) for k in (4, 2, 1, 3)]
    assert [[s.pk for s in same] for same in rotation_every_week(four)] == [[1, 2, 3, 4]]
    assert rotation_every_week([*four[:3], slot(9, 3, school=2)]) == []
    assert rotation_every_week([slot(k, k, every=2) for k in (1, 2, 3, 4)]) == []
    assert rotation_every_week([*four, slot(5, 1)]) == []  # two in week 1: not one a week
    assert rotation_every_week([slot(0, None), *four])[0][0].pk == 1  # weekly ones aside
    mixed = [slot(1, 1), slot(2, 2), slot(3, 3, who="b"), slot(4, 4)]
    assert len(rotation_every_week(mixed)) == 1
    assert rotation_every_week(mixed, alike=lambda s: (s.who,)) == []


def test_my_week_draws_them_and_sums_the_driving(client, week):
    _slot(week, 0, dt.time(9))
    _slot(week, 0, dt.time(10), far=True)
    _slot(week, 3, dt.time(9))
    client.force_login(week.users["therapist"])
    page = client.get(reverse("slot_list")).content.decode()
    assert '<h2>Monday <span class="muted">· 20 min driving</span></h2>' in page
    assert "<h2>Thursday</h2>" in page  # one school: no driving
    assert page.count('class="week-slot drive"') == 1
    assert page.count('class="week-slot lunch"') == 2  # Monday and Thursday
    # Each session on the calendar leads to its entry below (move, lock, remove).
    for slot in WeeklySlot.objects.all():
        assert f'href="#slot-{slot.pk}" tabindex="-1"' in page
        assert f'id="slot-{slot.pk}"' in page


def test_the_calendar_names_the_students_and_colours_each_school(client, week):
    """A block says who (first name, last initial) beside when and where; each school has
    its colour, by name, the same on every day, named in the legend."""
    near = _slot(week, 0, dt.time(9))
    far = _slot(week, 0, dt.time(10), far=True)
    again = _slot(week, 3, dt.time(9))
    client.force_login(week.users["therapist"])
    page = client.get(reverse("slot_list")).content.decode()
    names = sorted([week.school.name, week.other_school.name])
    colour = {name: i for i, name in enumerate(names)}
    for slot in (near, far, again):
        block = page.split(f'data-slot="{slot.pk}"')[1].split("</a>")[0]
        assert f"school-{colour[slot.school.name]}" in block
        assert f"{slot.start_time:%-H:%M} {slot.school.name}</span>" in block
        student = slot.students.get()
        assert f'<span class="who">{student.first_name} {student.last_name[0]}.</span>' in block
    legend = page.split('class="week-legend"')[1].split("</p>")[0]
    assert [f'school-{colour[name]}"><i></i>{name}' in legend for name in names] == [True] * 2


def test_my_week_draws_a_session_of_every_rotation_week_once(
    client, week, django_assert_max_num_queries
):
    """Four rotation slots alike but for their week are one block on the calendar ("wk 1–4"),
    not four lanes, and one card in the list, whose actions take all four; where a week
    differs (another student) each week keeps its lane and its card. The page's queries do
    not grow with the sets."""
    client.force_login(week.users["therapist"])

    def page() -> str:
        with CaptureQueriesContext(connection) as queries:
            text = client.get(reverse("slot_list")).content.decode()
        return text, len(queries)

    for k in (1, 2, 3, 4):
        _slot(week, 1, dt.time(11), cycle_week=k)
    text, one_set = page()
    assert text.count("rotation every-week") == 1 and "wk 1–4 11:00" in text
    assert "rotation wk" not in text
    assert text.count("week-slot rotation") == 1
    assert text.count("every week of the rotation (4 slots)") == 1 and "of 4</span>" not in text
    assert text.count('name="every_week" value="1"') == 3  # lock, remove, move
    for k in (1, 2, 3, 4):
        slot = _slot(week, 2, dt.time(11), cycle_week=k)
        if k == 3:
            slot.students.set([week.students["far"]])
        _slot(week, 3, dt.time(13), cycle_week=k)
    with django_assert_max_num_queries(one_set):
        text, _ = page()
    assert text.count("rotation every-week") == 2  # Tuesday's and Thursday's
    assert [f"rotation wk{k}" in text for k in (1, 2, 3, 4)] == [True] * 4  # Wednesday's
    assert text.count("of 4</span>") == 4  # Wednesday's cards, a week each


def _planning(week, minutes, *, lunch_until=dt.time(13)):
    LunchAndPlanning.objects.create(
        district=week.district,
        staff=week.staff["therapist"],
        lunch_from=dt.time(11),
        lunch_until=lunch_until,
        lunch_minutes=30,
        planning_minutes=minutes,
    )


def _hours(week, weekday, start, end):
    Availability.objects.create(
        district=week.district,
        staff=week.staff["therapist"],
        weekday=weekday,
        start=start,
        end=end,
    )


def test_planning_at_the_earliest_free_stretch_of_her_hours(week, django_assert_num_queries):
    _planning(week, 30)
    _hours(week, 0, dt.time(8), dt.time(15))
    _slot(week, 0, dt.time(8))
    _slot(week, 0, dt.time(8, 50))  # 8:30-8:50 is too short for 30 minutes
    _slot(week, 0, dt.time(9, 50))  # 9:20-9:50 is the first 30 free minutes from 8:00
    day = _breaks(week, django_assert_num_queries, queries=3)[0]
    assert [(b.kind, b.start, b.end, b.label) for b in day] == [
        ("lunch", _at(11), _at(11, 30), "Lunch"),
        ("planning", _at(9, 20), _at(9, 50), "Planning"),
    ]


def test_planning_is_apart_from_lunch_and_over_a_drive_only_when_nothing_else_is_free(week):
    _planning(week, 30, lunch_until=dt.time(11, 30))
    _hours(week, 1, dt.time(10), dt.time(12, 30))
    _slot(week, 1, dt.time(10))
    _slot(week, 1, dt.time(10, 30))
    _slot(week, 1, dt.time(11, 30))  # lunch takes 11:00-11:30, the first free half hour
    planning = [(b.start, b.end) for b in _breaks(week)[1] if b.kind == "planning"]
    assert planning == [(_at(12), _at(12, 30))]
    _slot(week, 1, dt.time(12))  # no half hour left beside lunch: no planning
    assert [b.kind for b in _breaks(week)[1]] == ["lunch"]
    # Her hours 9:00-10:30: the only free half hour holds the 20-minute drive.
    _hours(week, 2, dt.time(9), dt.time(10, 30))
    _slot(week, 2, dt.time(9))
    _slot(week, 2, dt.time(10), far=True)
    breaks = _breaks(week)[2]
    assert [(b.kind, b.start, b.end) for b in breaks if b.kind != "lunch"] == [
        ("drive", _at(9, 30), _at(9, 50)),
        ("planning", _at(9, 30), _at(10)),
    ]


def test_without_hours_on_record_planning_starts_with_the_scheduler_s_day(week):
    _planning(week, 20)
    _slot(week, 2, dt.time(9))
    planning = [b for b in _breaks(week)[2] if b.kind == "planning"]
    assert [(b.start, b.end) for b in planning] == [(_at(7, 30), _at(7, 50))]
    _hours(week, 3, dt.time(8), dt.time(15))  # hours on Thursday only: none on Wednesday
    assert [b.kind for b in _breaks(week)[2]] == ["lunch"]


def test_my_week_draws_planning(client, week):
    _planning(week, 30)
    _slot(week, 0, dt.time(9))
    client.force_login(week.users["therapist"])
    page = client.get(reverse("slot_list")).content.decode()
    assert page.count('class="week-slot planning"') == 1
    assert 'title="Planning"' in page
