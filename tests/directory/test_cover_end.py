"""The end of a cover: the morning after its last day (a task the worker runs then), the
OTR who covered hears who went back to whom, each OTR her students are back, each COTA
that her OTR supervises her sessions again. A cover changed since tells nobody. The demo's
inline task backend cannot run work later, and queues nothing."""

import datetime as dt
from zoneinfo import ZoneInfo

from django_tasks import default_task_backend

from schoolot.directory.services import (
    cover_end_tell,
    student_cota_assign,
    student_therapist_move,
)
from schoolot.directory.tasks import cover_end_tell as cover_end_task
from schoolot.referrals.models import Notification
from tests.factories import TODAY

LATER = TODAY + dt.timedelta(days=10)
LAST = LATER + dt.timedelta(days=13)


def _cover(world, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return student_therapist_move(
            user=world.users["supervisor"],
            student_id=world.students["own"].pk,
            to_staff_id=world.staff["other_therapist"].pk,
            on=LATER,
            until=LAST,
            today=TODAY,
            **kwargs,
        )


def _texts(world, who):
    return [n.text for n in Notification.objects.filter(user=world.users[who]).order_by("pk")]


def test_the_morning_after_a_cover_each_one_hears_it_ended(
    world, queued, django_capture_on_commit_callbacks
):
    own = world.students["own"]
    student_cota_assign(
        user=world.users["therapist"],
        student_id=own.pk,
        cota_staff_id=world.staff["cota"].pk,
        on=TODAY,
        today=TODAY,
    )
    _cover(world, django_capture_on_commit_callbacks)
    (queued_end,) = [r for r in default_task_backend.results if r.task.name == "cover_end_tell"]
    morning = dt.datetime.combine(
        LAST + dt.timedelta(days=1), dt.time(6), tzinfo=ZoneInfo(world.district.time_zone)
    )
    assert queued_end.task.run_after == morning
    assert queued_end.kwargs == {
        "student_ids": [own.pk],
        "cover_staff_id": world.staff["other_therapist"].pk,
        "until": LAST.isoformat(),
    }
    Notification.objects.all().delete()

    assert cover_end_task.call(**queued_end.kwargs) == 3  # what the worker runs then
    back = LAST + dt.timedelta(days=1)
    otr = world.users["therapist"].display_name
    (covered,) = _texts(world, "other_therapist")
    assert covered.startswith(f"Your cover ended on {LAST:%a %b} {LAST.day}: ")
    assert f"{own.full_name} to {otr} went back." in covered and "Build my week" in covered
    (again,) = _texts(world, "therapist")
    assert f"from {back:%a %b} {back.day} {own.full_name} is on your caseload again" in again
    (cota,) = _texts(world, "cota")
    assert f"{otr} supervises your sessions with {own.full_name} again" in cota


def test_a_cover_changed_since_tells_nobody(world, queued, django_capture_on_commit_callbacks):
    _cover(world, django_capture_on_commit_callbacks)
    (queued_end,) = [r for r in default_task_backend.results if r.task.name == "cover_end_tell"]
    # Her OTR comes back early: a move back to her within the cover cuts the cover short.
    student_therapist_move(
        user=world.users["supervisor"],
        student_id=world.students["own"].pk,
        to_staff_id=world.staff["therapist"].pk,
        on=LATER + dt.timedelta(days=3),
        today=TODAY,
    )
    Notification.objects.all().delete()
    assert cover_end_task.call(**queued_end.kwargs) == 0
    assert not Notification.objects.exists()


def test_a_student_with_no_otr_after_the_cover_is_named_to_the_one_who_covered(
    world, django_capture_on_commit_callbacks
):
    from schoolot.directory.models import CaseloadAssignment

    _cover(world, django_capture_on_commit_callbacks)
    CaseloadAssignment.objects.filter(
        student=world.students["own"], staff=world.staff["therapist"], start_date__gt=LAST
    ).delete()  # her OTR left the district meanwhile
    Notification.objects.all().delete()
    assert (
        cover_end_tell(
            student_ids=[world.students["own"].pk],
            cover_staff_id=world.staff["other_therapist"].pk,
            until=LAST,
        )
        == 1
    )
    (covered,) = _texts(world, "other_therapist")
    assert f"{world.students['own'].full_name} has no OTR from " in covered


def test_the_inline_backend_queues_nothing(world, django_capture_on_commit_callbacks):
    move = _cover(world, django_capture_on_commit_callbacks)  # the tests' default: inline
    assert move.until == LAST
    assert not Notification.objects.filter(text__contains="cover ended").exists()
