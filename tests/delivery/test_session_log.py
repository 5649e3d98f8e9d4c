"""session_log: one entry, all or nothing, and every refusal the issue names."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from schoolot.delivery.models import GoalDataPoint, ServiceCodeLine, Session, SessionStudent
from schoolot.delivery.services import (
    GoalMeasure,
    SessionInput,
    StudentPart,
    addendum_add,
    session_cosign,
    session_delete_draft,
    session_log,
    session_sign,
)
from schoolot.directory.models import CaseloadAssignment
from schoolot.plans.models import ServiceMandate
from tests.factories import YEAR_AGO, plan_make, student_make

TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)


def part(student, **kwargs):
    mandate = ServiceMandate.objects.filter(plan__student=student).first()
    return StudentPart(student_id=student.pk, mandate_id=mandate.pk, **kwargs)


def session_input(*parts, date=YESTERDAY, start=(9, 0), end=(9, 30), **kwargs):
    return SessionInput(
        date=date,
        start_time=dt.time(*start),
        end_time=dt.time(*end),
        setting="therapy_room",
        parts=list(parts),
        **kwargs,
    )


@pytest.fixture
def group(world):
    """Three students on the OTR's caseload at one school, group service allowed (up to 3)."""
    students = [world.students["own"]]
    for name in ["Gia", "Hugo"]:
        s = student_make(district=world.district, school=world.school, first=name, last="Ng")
        plan_make(student=s)
        CaseloadAssignment.objects.create(
            district=world.district,
            staff=world.staff["therapist"],
            student=s,
            start_date=YEAR_AGO,
        )
        students.append(s)
    return students


def errors_of(excinfo):
    return " | ".join(m for ms in excinfo.value.message_dict.values() for m in ms)


def test_individual_session_with_goal_data(world):
    own = world.students["own"]
    goal = own.plans.get().goals.get()
    session = session_log(
        user=world.users["therapist"],
        data=session_input(
            part(
                own,
                note="Copied 2 sentences.",
                measures=[GoalMeasure(goal_id=goal.pk, value=Decimal(72))],
            ),
            subjective="Said his hand was tired.",
        ),
    )
    assert session.minutes == 30
    assert session.kind == Session.Kind.INDIVIDUAL
    entry = session.students.get()
    assert entry.attendance == "present" and entry.minutes == 30
    assert list(entry.codes.values_list("code", "minutes")) == [("97530", 30)]
    point = GoalDataPoint.objects.get()
    assert point.value == 72 and point.date == YESTERDAY
    assert not session.is_signed


def test_group_with_each_students_own_attendance_and_97150(world, group):
    a, b, c = group
    session = session_log(
        user=world.users["therapist"],
        data=session_input(
            part(a),
            part(b, minutes=20, note="Left early for the nurse."),
            part(c, attendance="missed", missed_reason="student_absent", makeup_owed=True),
            sign=True,
        ),
    )
    assert session.kind == Session.Kind.GROUP
    assert session.is_signed
    entries = {e.student_id: e for e in session.students.all()}
    assert entries[a.pk].minutes == 30
    assert entries[b.pk].minutes == 20
    assert entries[c.pk].attendance == "missed" and entries[c.pk].minutes == 30
    assert entries[c.pk].missed_reason == "student_absent" and entries[c.pk].makeup_owed
    codes = ServiceCodeLine.objects.values_list("entry__student_id", "code", "minutes")
    assert set(codes) == {(a.pk, "97150", 30), (b.pk, "97150", 20)}


def test_trials_become_a_percent(world):
    own = world.students["own"]
    goal = own.plans.get().goals.get()
    goal.measurement_type = "percent_trials"
    goal.save()
    session_log(
        user=world.users["therapist"],
        data=session_input(
            part(own, measures=[GoalMeasure(goal_id=goal.pk, correct=3, incorrect=1)])
        ),
    )
    point = GoalDataPoint.objects.get()
    assert point.value == Decimal("75.00") and point.correct == 3 and point.incorrect == 1


def test_double_submit_makes_one_session(world):
    key = uuid.uuid4()
    data = session_input(part(world.students["own"]), submission_key=key)
    first = session_log(user=world.users["therapist"], data=data)
    second = session_log(user=world.users["therapist"], data=data)
    assert first.pk == second.pk
    assert Session.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(start=(9, 30), end=(9, 0)), "must end after it starts"),
        (dict(date=TODAY + dt.timedelta(days=1)), "not before"),
        (dict(date=TODAY - dt.timedelta(days=400)), "outside"),
        (dict(start=(6, 0), end=(17, 0)), "longer than the school day"),
    ],
)
def test_refusals_for_the_session(world, kwargs, message):
    with pytest.raises(ValidationError) as excinfo:
        session_log(
            user=world.users["therapist"], data=session_input(part(world.students["own"]), **kwargs)
        )
    assert message in errors_of(excinfo)
    assert not Session.objects.exists()


def test_overlap_with_the_therapists_own_session(world, group):
    session_log(user=world.users["therapist"], data=session_input(part(group[0])))
    with pytest.raises(ValidationError) as excinfo:
        session_log(
            user=world.users["therapist"],
            data=session_input(part(group[1]), start=(9, 15), end=(9, 45)),
        )
    assert "already have a session at this time" in errors_of(excinfo)
    # Back to back is fine.
    session_log(
        user=world.users["therapist"],
        data=session_input(part(group[1]), start=(9, 30), end=(10, 0)),
    )


def test_overlap_with_the_students_session_with_someone_else(world):
    cota_student = world.students["cota"]
    session_log(user=world.users["cota"], data=session_input(part(cota_student)))
    # The supervising OTR sees the COTA's student, but he is busy then.
    with pytest.raises(ValidationError) as excinfo:
        session_log(
            user=world.users["therapist"],
            data=session_input(part(cota_student), start=(9, 10), end=(9, 40)),
        )
    assert "already in a session at this time" in errors_of(excinfo)


def test_not_on_caseload_and_other_district(world, elsewhere):
    for student in [world.students["other"], elsewhere.students["own"]]:
        with pytest.raises(ValidationError) as excinfo:
            session_log(user=world.users["therapist"], data=session_input(part(student)))
        assert "only for students on your caseload" in errors_of(excinfo)
    assert not Session.objects.exists()


@pytest.mark.parametrize("who", ["teacher", "supervisor", "parent", "admin"])
def test_only_therapists_log(world, who):
    with pytest.raises(PermissionDenied):
        session_log(user=world.users[who], data=session_input(part(world.students["own"])))


def test_group_not_allowed_by_a_mandate(world, group):
    ServiceMandate.objects.filter(plan__student=group[1]).update(
        group_allowed=False, max_group_size=1
    )
    with pytest.raises(ValidationError) as excinfo:
        session_log(
            user=world.users["therapist"], data=session_input(part(group[0]), part(group[1]))
        )
    assert "calls for individual sessions" in errors_of(excinfo)
    assert not Session.objects.exists() and not SessionStudent.objects.exists()


def test_group_larger_than_allowed(world, group):
    ServiceMandate.objects.filter(plan__student=group[0]).update(max_group_size=2)
    with pytest.raises(ValidationError) as excinfo:
        session_log(user=world.users["therapist"], data=session_input(*(part(s) for s in group)))
    assert "groups of at most 2" in errors_of(excinfo)


def test_missed_needs_a_reason_and_carries_no_data(world):
    own = world.students["own"]
    goal = own.plans.get().goals.get()
    with pytest.raises(ValidationError) as excinfo:
        session_log(
            user=world.users["therapist"],
            data=session_input(
                part(
                    own,
                    attendance="missed",
                    measures=[GoalMeasure(goal_id=goal.pk, value=Decimal(50))],
                )
            ),
        )
    text = errors_of(excinfo)
    assert "Give the reason" in text and "only for a student who was present" in text


def test_goal_value_out_of_range(world):
    own = world.students["own"]
    goal = own.plans.get().goals.get()  # legibility percent
    with pytest.raises(ValidationError) as excinfo:
        session_log(
            user=world.users["therapist"],
            data=session_input(
                part(own, measures=[GoalMeasure(goal_id=goal.pk, value=Decimal(140))])
            ),
        )
    assert "a percent from 0 to 100" in errors_of(excinfo)


def test_makeup_links_once(world):
    own = world.students["own"]
    missed = session_log(
        user=world.users["therapist"],
        data=session_input(
            part(own, attendance="missed", missed_reason="holiday", makeup_owed=True),
            date=YESTERDAY - dt.timedelta(days=7),
        ),
    ).students.get()
    makeup = session_log(
        user=world.users["therapist"], data=session_input(part(own, makeup_for_id=missed.pk))
    ).students.get()
    assert makeup.makeup_for == missed
    with pytest.raises(ValidationError) as excinfo:
        session_log(
            user=world.users["therapist"],
            data=session_input(part(own, makeup_for_id=missed.pk), start=(10, 0), end=(10, 30)),
        )
    assert "already been made up" in errors_of(excinfo)


def test_sign_lock_addendum_and_cosign(world):
    cota_student = world.students["cota"]
    session = session_log(user=world.users["cota"], data=session_input(part(cota_student)))
    with pytest.raises(ValidationError):
        addendum_add(user=world.users["cota"], session=session, text="too early")
    with pytest.raises(PermissionDenied):
        session_sign(user=world.users["therapist"], session=session)
    session_sign(user=world.users["cota"], session=session)
    assert session.cosign_required and session.awaits_cosign
    with pytest.raises(ValidationError):
        session_sign(user=world.users["cota"], session=session)
    with pytest.raises(ValidationError):
        session_delete_draft(user=world.users["cota"], session=session)
    with pytest.raises(PermissionDenied):
        session_cosign(user=world.users["other_therapist"], session=session)
    session_cosign(user=world.users["therapist"], session=session)
    assert not session.awaits_cosign
    addendum = addendum_add(
        user=world.users["cota"], session=session, text="Correction: 3 of 4 trials."
    )
    assert addendum.author == world.staff["cota"]
    with pytest.raises(PermissionDenied):
        addendum_add(user=world.users["therapist"], session=session, text="not mine")


def test_otr_notes_need_no_cosign_and_district_can_turn_it_off(world):
    s1 = session_log(
        user=world.users["therapist"], data=session_input(part(world.students["own"]), sign=True)
    )
    assert not s1.cosign_required
    world.district.cosign_cota_notes = False
    world.district.save()
    s2 = session_log(
        user=world.users["cota"], data=session_input(part(world.students["cota"]), sign=True)
    )
    assert not s2.cosign_required


def test_the_otr_who_covers_cosigns_the_cotas_notes_of_her_students(world):
    """Her supervising OTR on leave, another OTR covers the student: she co-signs the COTA's
    notes for that student's sessions of the cover, and finds them waiting; not the notes of
    other students, nor of days outside the cover."""
    from schoolot.delivery.services import cosign_allowed
    from schoolot.delivery.session_selectors import unsigned_sessions

    cota_student = world.students["cota"]
    covering = world.staff["other_therapist"]
    cover = CaseloadAssignment.objects.create(
        district=world.district,
        staff=covering,
        student=cota_student,
        role="primary_otr",
        start_date=YESTERDAY - dt.timedelta(days=3),
        end_date=YESTERDAY + dt.timedelta(days=3),
    )
    session = session_log(user=world.users["cota"], data=session_input(part(cota_student)))
    session_sign(user=world.users["cota"], session=session)
    assert cosign_allowed(staff=covering, session=session)
    assert [s.pk for s in unsigned_sessions(staff=covering)] == [session.pk]
    assert cosign_allowed(staff=world.staff["therapist"], session=session)  # her supervisor
    # Outside the cover, only her supervising OTR.
    cover.start_date = YESTERDAY + dt.timedelta(days=1)
    cover.save()
    assert not cosign_allowed(staff=covering, session=session)
    assert unsigned_sessions(staff=covering) == []
    with pytest.raises(PermissionDenied):
        session_cosign(user=world.users["other_therapist"], session=session)
    cover.start_date = YESTERDAY
    cover.save()
    session_cosign(user=world.users["other_therapist"], session=session)
    assert session.cosigned_by == covering and not session.awaits_cosign
