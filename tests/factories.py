"""Small, explicit builders for test data: one district with every role and every kind of
student relationship, so access tests can name exactly whom they mean."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from schoolot.accounts.models import Role, User
from schoolot.directory.models import (
    CalendarEvent,
    CaseloadAssignment,
    District,
    Enrollment,
    Guardian,
    School,
    SchoolClass,
    SchoolYear,
    Staff,
    Student,
)
from schoolot.plans.models import Accommodation, Goal, Plan, ServiceMandate, TeamMember

PASSWORD = "correct-horse-battery"
TODAY = dt.date.today()
YEAR_AGO = TODAY - dt.timedelta(days=200)
YEAR_ON = TODAY + dt.timedelta(days=165)


def user_make(*, district, username, role, first="Test", last="User", is_staff=False) -> User:
    return User.objects.create(
        username=username,
        email=f"{username}@example.org",
        first_name=first,
        last_name=last,
        district=district,
        role=role,
        is_staff=is_staff,
        password=make_password(PASSWORD),
    )


def staff_make(*, district, username, role, credential, **kwargs) -> Staff:
    user = user_make(
        district=district,
        username=username,
        role=role,
        first=username.title(),
        last=district.name.split()[0],
        is_staff=role == Role.DISTRICT_ADMIN,
    )
    return Staff.objects.create(district=district, user=user, credential=credential, **kwargs)


def student_make(*, district, school, first, last, **kwargs) -> Student:
    defaults = dict(
        grade="2",
        date_of_birth=dt.date(2018, 3, 14),
        local_id=f"{district.pk}-{first}-{last}",
        medicaid_id=f"MCD{first.upper()}",
    )
    defaults.update(kwargs)
    return Student.objects.create(
        district=district, school=school, first_name=first, last_name=last, **defaults
    )


def school_day_next(*, district, weekday: int, after: dt.date | None = None) -> dt.date:
    """The first day after `after` (default today) on `weekday` (0 Mon) with instruction in
    the district's calendar."""
    from schoolot.directory.selectors import closure_get

    after = after or dt.date.today()
    day = after + dt.timedelta(days=(weekday - after.weekday()) % 7 or 7)
    while closure_get(district_id=district.pk, day=day):
        day += dt.timedelta(days=7)
    return day


def holiday_make(*, district, day: dt.date) -> dt.date:
    """Founders' Day on `day`, a holiday of the district's (one) school year."""
    CalendarEvent.objects.create(
        district=district,
        school_year=SchoolYear.objects.get(district=district),
        kind=CalendarEvent.Kind.HOLIDAY,
        name="Founders' Day",
        start_date=day,
        end_date=day,
    )
    return day


def school_closure_make(
    *, school, day: dt.date, name: str = "Water main break", district=None
) -> CalendarEvent:
    """`school` alone closed on `day` (the others open), in the district's school year; with
    no school, every school of `district`."""
    district_id = school.district_id if school else district.pk
    return CalendarEvent.objects.create(
        district_id=district_id,
        school_year=SchoolYear.objects.get(district_id=district_id),
        school=school,
        kind=CalendarEvent.Kind.CLOSURE,
        name=name,
        start_date=day,
        end_date=day,
    )


def weekly_slot_make(*, world, weekday, start, minutes=30, locked=False, student="own"):
    """A 30-minute session of the OTR's week at the world's school with one of its students
    (by its key in `world.students`)."""
    from schoolot.delivery.models import WeeklySlot

    end = dt.datetime.combine(TODAY, start) + dt.timedelta(minutes=minutes)
    slot = WeeklySlot.objects.create(
        district=world.district,
        therapist=world.staff["therapist"],
        weekday=weekday,
        start_time=start,
        end_time=end.time(),
        school=world.school,
        locked=locked,
    )
    slot.students.add(world.students[student])
    return slot


def plan_make(*, student, kind=Plan.Kind.IEP, goal_text=None, accommodation_text=None) -> Plan:
    d = student.district
    plan = Plan.objects.create(
        district=d,
        student=student,
        kind=kind,
        status=Plan.Status.ACTIVE,
        start_date=YEAR_AGO,
        end_date=YEAR_ON,
        annual_review_due=YEAR_ON,
        reevaluation_due=YEAR_ON + dt.timedelta(days=700),
    )
    Goal.objects.create(
        district=d,
        plan=plan,
        domain="fine_motor",
        text=goal_text or f"GOAL-{student.first_name}: copy a sentence with 90% legibility",
        baseline="Copies 3 words with 40% legibility.",
        measurement_type="legibility",
        baseline_value=40,
        target_value=90,
        end_date=YEAR_ON,
    )
    ServiceMandate.objects.create(
        district=d,
        plan=plan,
        delivery_model="pull_out",
        minutes_per_session=30,
        sessions_per_period=2,
        period="week",
        group_allowed=True,
        max_group_size=3,
        setting="therapy_room",
        start_date=YEAR_AGO,
        end_date=YEAR_ON,
    )
    Accommodation.objects.create(
        district=d,
        plan=plan,
        category="materials",
        text=accommodation_text or f"ACCOM-{student.first_name}: pencil grip and slant board",
    )
    TeamMember.objects.create(
        district=d, plan=plan, role="sped_teacher", name=f"TEAM-{student.first_name} Rivera"
    )
    return plan


@dataclass
class World:
    """One district with a named person in every role and a student for every relationship."""

    district: District
    school: School
    other_school: School
    users: dict[str, User] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    students: dict[str, Student] = field(default_factory=dict)


def world_make(*, name: str) -> World:
    """Students:
    own      on the OTR's caseload, in the teacher's class, child of the parent;
    cota     on the COTA's caseload (the COTA is supervised by the OTR);
    other    on another OTR's caseload (another supervisor), in no class of the teacher;
    former   was on the OTR's caseload, assignment ended; nobody's now.
    """
    district = District.objects.create(name=f"{name} District", state="TX")
    SchoolYear.objects.create(
        district=district,
        name="this year",
        first_day=YEAR_AGO,
        last_day=YEAR_ON,
    )
    school = School.objects.create(
        district=district, name=f"{name} Elementary", grade_band="elementary"
    )
    other_school = School.objects.create(
        district=district, name=f"{name} Middle School", grade_band="middle"
    )
    w = World(district=district, school=school, other_school=other_school)
    s = w.staff
    s["admin"] = staff_make(
        district=district, username=f"{name}-admin", role=Role.DISTRICT_ADMIN, credential="admin"
    )
    s["supervisor"] = staff_make(
        district=district, username=f"{name}-supervisor", role=Role.SUPERVISOR, credential="OTR/L"
    )
    s["other_supervisor"] = staff_make(
        district=district,
        username=f"{name}-other_supervisor",
        role=Role.SUPERVISOR,
        credential="OTR/L",
    )
    s["therapist"] = staff_make(
        district=district,
        username=f"{name}-therapist",
        role=Role.THERAPIST,
        credential="OTR/L",
        supervisor=s["supervisor"],
    )
    s["cota"] = staff_make(
        district=district,
        username=f"{name}-cota",
        role=Role.THERAPIST,
        credential="COTA/L",
        supervisor=s["supervisor"],
        supervising_otr=s["therapist"],
    )
    s["other_therapist"] = staff_make(
        district=district,
        username=f"{name}-other_therapist",
        role=Role.THERAPIST,
        credential="OTR/L",
        supervisor=s["other_supervisor"],
    )
    s["teacher"] = staff_make(
        district=district, username=f"{name}-teacher", role=Role.TEACHER, credential="teacher"
    )
    s["other_teacher"] = staff_make(
        district=district, username=f"{name}-other_teacher", role=Role.TEACHER, credential="teacher"
    )
    for key, member in s.items():
        w.users[key] = member.user
    w.users["parent"] = user_make(district=district, username=f"{name}-parent", role=Role.PARENT)
    w.users["other_parent"] = user_make(
        district=district, username=f"{name}-other_parent", role=Role.PARENT
    )

    st = w.students
    st["own"] = student_make(district=district, school=school, first=f"Own{name}", last="Alvarez")
    st["cota"] = student_make(district=district, school=school, first=f"Cota{name}", last="Brennan")
    st["other"] = student_make(
        district=district, school=other_school, first=f"Other{name}", last="Chen", grade="7"
    )
    st["former"] = student_make(
        district=district, school=school, first=f"Former{name}", last="Duarte"
    )
    for student in st.values():
        plan_make(student=student)

    def assign(staff, student, role="primary_otr", end=None):
        CaseloadAssignment.objects.create(
            district=district,
            staff=staff,
            student=student,
            role=role,
            start_date=YEAR_AGO,
            end_date=end,
        )

    assign(s["therapist"], st["own"])
    assign(s["cota"], st["cota"], role="cota")
    assign(s["other_therapist"], st["other"])
    assign(s["therapist"], st["former"], end=TODAY - dt.timedelta(days=10))

    klass = SchoolClass.objects.create(
        district=district, school=school, name="Room 12", teacher=s["teacher"]
    )
    Enrollment.objects.create(district=district, school_class=klass, student=st["own"])
    other_class = SchoolClass.objects.create(
        district=district, school=other_school, name="Room 40", teacher=s["other_teacher"]
    )
    Enrollment.objects.create(district=district, school_class=other_class, student=st["other"])

    Guardian.objects.create(
        district=district,
        student=st["own"],
        user=w.users["parent"],
        first_name="GUARDIAN",
        last_name="Alvarez",
        relation="mother",
        email="mother@example.net",
        preferred_language="es",
    )
    Guardian.objects.create(
        district=district,
        student=st["other"],
        user=w.users["other_parent"],
        first_name="Pat",
        last_name="Chen",
        relation="father",
    )
    return w


def rotation_mandate_make(
    *, student, sessions: int, period: str = "month", minutes: int = 45
) -> ServiceMandate:
    """An individual OT mandate (45 minutes unless said) of `sessions` a `period` (month,
    quarter, year) on the student's plan, beside its weekly one: placed in the 4-week
    rotation."""
    plan = ServiceMandate.objects.filter(plan__student=student).first().plan
    return ServiceMandate.objects.create(
        district=student.district,
        plan=plan,
        delivery_model="pull_out",
        minutes_per_session=minutes,
        sessions_per_period=sessions,
        period=period,
        group_allowed=False,
        max_group_size=1,
        setting="therapy_room",
        start_date=plan.start_date,
        end_date=plan.end_date,
    )


def far_student_make(*, world, travel_minutes: int = 20):
    """One more student of the OTR's, at the world's other school (`world.students["far"]`,
    weekly OT like "own"), with `travel_minutes` entered between the two schools; the
    world's school made hers."""
    from schoolot.directory.models import CaseloadAssignment
    from schoolot.schedules.models import TravelTime

    world.staff["therapist"].schools.add(world.school)
    far = student_make(district=world.district, school=world.other_school, first="Far", last="Ng")
    plan_make(student=far)
    CaseloadAssignment.objects.create(
        district=world.district,
        student=far,
        staff=world.staff["therapist"],
        start_date=TODAY - dt.timedelta(days=30),
    )
    world.students["far"] = far
    TravelTime.objects.create(
        district=world.district,
        origin=world.school,
        destination=world.other_school,
        minutes=travel_minutes,
    )
    return far
