"""A student's sessions given to a COTA her OTR supervises, or taken back, from a day: the
student's OTR, her OT supervisor and administrators only; the COTA then schedules her (the
OTR stays her OTR); the COTA, the COTA she leaves, the OTR (when someone else acts) and her
teachers are told; each change is audited. A move to an OTR who does not supervise her COTA
ends the COTA's part too. Bad input answers in place and writes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from schoolot.audit.models import AuditEvent
from schoolot.core.access import current_assignments, students_visible_to
from schoolot.directory.models import CaseloadAssignment
from schoolot.directory.selectors import cota_choices_get, student_therapists_get
from schoolot.directory.services import (
    student_cota_assign,
    student_cota_unassign,
    student_therapist_move,
)
from schoolot.referrals.models import Notification
from tests.factories import TODAY, staff_make

LATER = TODAY + dt.timedelta(days=10)


def _url(world, key="own"):
    return reverse("student_cota", args=[world.students[key].pk])


def _give(client, world, cota="cota", on=TODAY, key="own"):
    cota_id = world.staff[cota].pk if cota in world.staff else cota
    on = on.isoformat() if isinstance(on, dt.date) else on
    return client.post(_url(world, key), {"action": "give", "give-cota": cota_id, "give-on": on})


def _back(client, world, on=TODAY, key="own"):
    on = on.isoformat() if isinstance(on, dt.date) else on
    return client.post(_url(world, key), {"action": "back", "back-on": on})


def _cotas(world, key="own", on=TODAY):
    return [
        a.staff for a in current_assignments(on=on).filter(student=world.students[key], role="cota")
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("therapist", 200),  # her OTR
        ("supervisor", 200),
        ("admin", 200),
        ("cota", 404),  # she sees only her own caseload
        ("other_supervisor", 404),
        ("other_therapist", 404),
        ("teacher", 403),  # sees her in class, may not change who serves her
        ("parent", 403),
    ],
)
def test_who_gives_a_students_sessions_to_a_cota(client, world, who, status):
    client.force_login(world.users[who])
    assert client.get(_url(world)).status_code == status
    record = client.get(reverse("student_detail", args=[world.students["own"].pk]))
    if record.status_code == 200:
        shown = "Give to a COTA or take back" in record.content.decode()
        assert shown == (status == 200)
    assert _give(client, world).status_code == (302 if status == 200 else status)
    assert _cotas(world) == ([world.staff["cota"]] if status == 200 else [])


def test_her_otr_gives_her_to_her_cota_today(client, world):
    client.force_login(world.users["therapist"])
    response = _give(client, world)
    own = world.students["own"]
    assert response.url == reverse("student_detail", args=[own.pk])
    given = CaseloadAssignment.objects.get(student=own, role="cota")
    assert (given.staff, given.start_date, given.end_date) == (world.staff["cota"], TODAY, None)
    # The OTR stays her OTR; the COTA now sees and schedules her.
    assert student_therapists_get(student_id=own.pk, on=TODAY).otr == world.staff["therapist"]
    assert own in students_visible_to(user=world.users["cota"])
    assert own in students_visible_to(user=world.users["therapist"])
    (joins,) = Notification.objects.filter(user=world.users["cota"])
    assert joins.text.startswith(f"{own.full_name} ({world.school.name}) joins your caseload")
    assert "under the supervision of" in joins.text
    (teacher,) = Notification.objects.filter(user=world.users["teacher"])
    assert f"sees {world.users['cota'].display_name} (COTA) for OT today" in teacher.text
    assert not Notification.objects.filter(user=world.users["therapist"]).exists()  # she did it
    event = AuditEvent.objects.get(student=own, action="update")
    assert event.actor == world.users["therapist"] and "(COTA)" in event.what
    page = client.get(response.url).content.decode()
    assert "is served by" in page


def test_the_cota_schedules_her_and_the_otr_no_longer_does(world):
    from schoolot.schedules.services import week_instance

    own = world.students["own"]
    otr, cota = world.staff["therapist"], world.staff["cota"]
    for staff in (otr, cota):
        staff.schools.add(world.school)
    before, _ = week_instance(staff=otr, on=TODAY)
    assert str(own.pk) in {s.id for s in before.students}
    student_cota_assign(
        user=world.users["therapist"],
        student_id=own.pk,
        cota_staff_id=cota.pk,
        on=TODAY,
        today=TODAY,
    )
    otrs, _ = week_instance(staff=otr, on=TODAY)
    cotas, _ = week_instance(staff=cota, on=TODAY)
    assert str(own.pk) not in {s.id for s in otrs.students}
    assert str(own.pk) in {s.id for s in cotas.students}


def test_a_supervisor_acts_and_the_otr_is_told(client, world):
    client.force_login(world.users["supervisor"])
    assert _give(client, world, on=LATER).status_code == 302
    assert _cotas(world) == [] and _cotas(world, on=LATER) == [world.staff["cota"]]
    (otr,) = Notification.objects.filter(user=world.users["therapist"])
    assert otr.text.startswith(f"{world.users['supervisor'].display_name} changed who serves")


def test_taken_back_from_a_day_and_a_later_change_gives_way(client, world):
    client.force_login(world.users["therapist"])
    assert _give(client, world).status_code == 302
    Notification.objects.all().delete()
    assert _back(client, world, on=LATER).status_code == 302
    given = CaseloadAssignment.objects.get(student=world.students["own"], role="cota")
    assert given.end_date == LATER - dt.timedelta(days=1)
    assert _cotas(world, on=LATER) == []
    (leaves,) = Notification.objects.filter(user=world.users["cota"])
    assert "leaves your caseload on" in leaves.text and "(her OTR) serves her then" in leaves.text
    # Given again from a later day, then taken back before it begins: nothing of it stands.
    later = LATER + dt.timedelta(days=7)
    assert _give(client, world, on=later).status_code == 302
    assert _cotas(world, on=later) == [world.staff["cota"]]
    assert _back(client, world, on=LATER + dt.timedelta(days=3)).status_code == 302
    assert (
        CaseloadAssignment.objects.filter(student=world.students["own"], role="cota").count() == 1
    )


def test_another_cota_takes_over_and_the_first_is_told(client, world):
    second = staff_make(
        district=world.district,
        username="north-cota2",
        role="therapist",
        credential="COTA/L",
        supervisor=world.staff["supervisor"],
        supervising_otr=world.staff["therapist"],
    )
    world.staff["cota2"] = second
    client.force_login(world.users["therapist"])
    assert _give(client, world).status_code == 302
    Notification.objects.all().delete()
    assert _give(client, world, cota="cota2", on=LATER).status_code == 302
    assert _cotas(world) == [world.staff["cota"]]
    assert _cotas(world, on=LATER) == [second]
    assert Notification.objects.filter(user=world.users["cota"], text__contains="leaves").exists()
    assert Notification.objects.filter(user=second.user, text__contains="joins").exists()
    choices = cota_choices_get(otr=world.staff["therapist"], on=TODAY)
    assert [(c.staff, c.students) for c in choices] == [(world.staff["cota"], 2), (second, 0)]


@pytest.mark.parametrize(
    ("cota", "on", "field", "message"),
    [
        ("cota", TODAY - dt.timedelta(days=1), "on", "today or a later day"),
        ("cota", TODAY + dt.timedelta(days=400), "on", "within the next year"),
        ("cota", "soon", "on", "Enter a date such as"),
        ("other_therapist", TODAY, "cota", "Choose one of the COTAs listed"),  # an OTR
        ("teacher", TODAY, "cota", "Choose one of the COTAs listed"),
        ("", TODAY, "cota", "Choose the COTA who will serve the student"),
    ],
)
def test_bad_input_answers_in_place(client, world, cota, on, field, message):
    client.force_login(world.users["therapist"])
    response = _give(client, world, cota=world.staff[cota].pk if cota else "", on=on)
    assert response.status_code == 400
    errors = response.context["give"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert "Nothing was changed" in response.content.decode()
    assert _cotas(world) == [] and not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="update").exists()


def test_the_service_refuses_what_the_form_would_not_offer(world):
    own, cota = world.students["own"], world.staff["cota"]
    kwargs = dict(user=world.users["therapist"], student_id=own.pk, on=TODAY, today=TODAY)
    # A COTA supervised by another OTR.
    cota.supervising_otr = world.staff["other_therapist"]
    cota.save()
    with pytest.raises(ValidationError, match="Choose a COTA whom .* supervises"):
        student_cota_assign(cota_staff_id=cota.pk, **kwargs)
    cota.supervising_otr = world.staff["therapist"]
    cota.save()
    student_cota_assign(cota_staff_id=cota.pk, **kwargs)
    with pytest.raises(ValidationError, match="serves .* on that day already"):
        student_cota_assign(cota_staff_id=cota.pk, **kwargs)
    with pytest.raises(ValidationError, match="No COTA serves"):
        student_cota_unassign(
            user=world.users["admin"], student_id=world.students["other"].pk, on=TODAY, today=TODAY
        )
    # The COTA's own student has no OTR in this world: nobody to work under, or to take her back.
    theirs = dict(user=world.users["supervisor"], student_id=world.students["cota"].pk)
    with pytest.raises(ValidationError, match="has no OTR on that day"):
        student_cota_assign(cota_staff_id=cota.pk, on=TODAY, today=TODAY, **theirs)
    with pytest.raises(ValidationError, match="has no OTR on that day"):
        student_cota_unassign(on=TODAY, today=TODAY, **theirs)
    # The COTA herself does not hand students around.
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        student_cota_unassign(user=world.users["cota"], student_id=own.pk, on=TODAY, today=TODAY)


def test_a_move_to_another_otr_ends_the_cotas_part(client, world):
    own = world.students["own"]
    student_cota_assign(
        user=world.users["therapist"],
        student_id=own.pk,
        cota_staff_id=world.staff["cota"].pk,
        on=TODAY,
        today=TODAY,
    )
    Notification.objects.all().delete()
    client.force_login(world.users["admin"])
    response = client.post(
        reverse("student_move", args=[own.pk]),
        {"to_staff": world.staff["other_therapist"].pk, "on": LATER.isoformat()},
    )
    assert response.status_code == 302
    assert _cotas(world) == [world.staff["cota"]]
    assert _cotas(world, on=LATER) == []
    (leaves,) = Notification.objects.filter(user=world.users["cota"])
    assert "leaves your caseload on" in leaves.text
    assert world.users["other_therapist"].display_name in leaves.text
    page = client.get(response.url).content.decode()
    cota_name = world.users["cota"].display_name
    assert f"{cota_name} (COTA) no longer serves her: the new OTR does not supervise her" in page


def test_a_move_to_the_otr_who_supervises_the_cota_keeps_her(world):
    own = world.students["own"]
    cota = world.staff["cota"]
    student_cota_assign(
        user=world.users["therapist"],
        student_id=own.pk,
        cota_staff_id=cota.pk,
        on=TODAY,
        today=TODAY,
    )
    cota.supervising_otr = world.staff["other_therapist"]
    cota.save()
    moved = student_therapist_move(
        user=world.users["admin"],
        student_id=own.pk,
        to_staff_id=world.staff["other_therapist"].pk,
        on=TODAY,
        today=TODAY,
    )
    assert moved.cota_left is None
    assert _cotas(world) == [cota]
    assert not Notification.objects.filter(user=cota.user, text__contains="leaves").exists()


def test_the_page_reads_in_constant_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.users["therapist"])
    with django_assert_max_num_queries(20):
        page = client.get(_url(world))
    assert page.status_code == 200
    body = page.content.decode()
    assert world.users["cota"].display_name in body and "Take her sessions back" not in body


def test_once_given_her_times_and_make_ups_are_the_cotas(world):
    """Her teacher, her parent and her record know the COTA's times, not the OTR's week left
    from before (until the OTR rebuilds, that slot is a stray of hers); a make-up the OTR owed
    her is the COTA's to give."""
    from schoolot.delivery.models import WeeklySlot
    from schoolot.delivery.services import open_makeups_owned
    from schoolot.schedules.selectors import ot_slots_get, student_ot_times_get
    from tests.delivery.helpers import log, part
    from tests.factories import weekly_slot_make

    own, cota = world.students["own"], world.staff["cota"]
    otrs = weekly_slot_make(world=world, weekday=1, start=dt.time(9))
    missed = {"attendance": "missed", "missed_reason": "therapist_absent", "makeup_owed": True}
    log(world, [part(own, **missed)], day=TODAY - dt.timedelta(days=1))
    student_cota_assign(
        user=world.users["therapist"],
        student_id=own.pk,
        cota_staff_id=cota.pk,
        on=TODAY,
        today=TODAY,
    )
    cotas = WeeklySlot.objects.create(
        district=world.district,
        therapist=cota,
        weekday=3,
        start_time=dt.time(10),
        end_time=dt.time(10, 30),
        school=world.school,
    )
    cotas.students.add(own)
    for who in ("teacher", "parent"):
        held = ot_slots_get(user=world.users[who], on=TODAY)
        assert [h.slot.pk for h in held] == [cotas.pk], who
    assert [t.therapist for t in student_ot_times_get(student=own, on=TODAY)] == [str(cota)]
    (owed,) = open_makeups_owned(on=TODAY)
    assert owed.owner_id == cota.pk
    # Taken back: the OTR's times and make-ups are hers again.
    student_cota_unassign(user=world.users["therapist"], student_id=own.pk, on=TODAY, today=TODAY)
    assert [h.slot.pk for h in ot_slots_get(user=world.users["teacher"], on=TODAY)] == [otrs.pk]
    (owed,) = open_makeups_owned(on=TODAY)
    assert owed.owner_id == world.staff["therapist"].pk


def test_students_chosen_on_the_list_go_to_the_cota_together(client, world):
    from tests.factories import student_make

    therapist, cota = world.staff["therapist"], world.staff["cota"]
    more = student_make(district=world.district, school=world.school, first="Bea", last="Zuniga")
    CaseloadAssignment.objects.create(
        district=world.district, staff=therapist, student=more, start_date=TODAY
    )
    client.force_login(world.users["therapist"])
    listed = client.get(reverse("caseload")).content.decode()
    assert f'formaction="{reverse("students_cota")}"' in listed
    chosen = [world.students["own"].pk, more.pk]
    page = client.get(reverse("students_cota"), {"student": chosen})
    assert page.status_code == 200 and "Give 2 students to a COTA" in page.content.decode()
    response = client.post(
        reverse("students_cota"),
        {"student": chosen, "action": "give", "give-cota": cota.pk, "give-on": LATER.isoformat()},
    )
    assert response.status_code == 302 and response.url == reverse("caseload")
    for student in (world.students["own"], more):
        assert [
            a.staff for a in current_assignments(on=LATER).filter(student=student, role="cota")
        ] == [cota]
    (joins,) = Notification.objects.filter(user=world.users["cota"])
    assert joins.text.startswith("2 students join your caseload on ")
    assert AuditEvent.objects.filter(action="update", what__contains="(COTA)").count() == 2
    (teacher,) = Notification.objects.filter(user=world.users["teacher"])  # Bea in no class
    assert teacher.text.startswith(world.students["own"].full_name)
    # Both taken back together, from the day the COTA was to begin: nothing of it stands.
    page = client.get(reverse("students_cota"), {"student": chosen}).content.decode()
    assert "Take their sessions back from their COTA" in page
    response = client.post(
        reverse("students_cota"),
        {"student": chosen, "action": "back", "back-on": LATER.isoformat()},
    )
    assert response.status_code == 302
    assert not CaseloadAssignment.objects.filter(student_id__in=chosen, role="cota").exists()
    (leaves,) = Notification.objects.filter(user=world.users["cota"], text__contains="leave ")
    assert leaves.text.startswith(f"{world.students['own'].full_name}, Bea Zuniga leave")
    # Nothing left to take back: refused in place.
    response = client.post(
        reverse("students_cota"),
        {"student": chosen, "action": "back", "back-on": LATER.isoformat()},
    )
    assert response.status_code == 400
    assert "No COTA serves" in " ".join(response.context["back"].errors["on"])


def test_students_of_two_otrs_or_none_chosen_are_refused_in_place(client, world):
    client.force_login(world.users["admin"])
    both = {"student": [world.students["own"].pk, world.students["other"].pk]}
    page = client.get(reverse("students_cota"), both).content.decode()
    assert "choose students of one OTR" in page
    response = client.post(
        reverse("students_cota"),
        {
            **both,
            "action": "give",
            "give-cota": world.staff["cota"].pk,
            "give-on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 400 and not _cotas(world)
    response = client.get(reverse("students_cota"), follow=True)
    assert "Choose the students to give on the list first." in response.content.decode()
    client.force_login(world.users["other_therapist"])  # supervises no COTA
    assert client.get(reverse("students_cota"), both).status_code == 403
    client.force_login(world.users["therapist"])  # not the OTR of "other": not hers to see
    assert client.get(reverse("students_cota"), both).status_code == 404
