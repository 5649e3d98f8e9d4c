"""A student moved to another OTR's caseload from a day: OT supervisors and administrators
only, for students they see; the old assignment ends the day before, the new one begins;
both therapists are told, the move is audited; the old week lists the student's sessions as
no longer hers from that day. Bad input answers in place and writes nothing."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from schoolot.audit.models import AuditEvent
from schoolot.core.access import current_assignments, students_visible_to
from schoolot.directory.models import CaseloadAssignment
from schoolot.directory.selectors import therapist_choices_get
from schoolot.directory.services import student_therapist_move
from schoolot.referrals.models import Notification
from tests.factories import TODAY, weekly_slot_make

LATER = TODAY + dt.timedelta(days=10)


def _url(world, key="own"):
    return reverse("student_move", args=[world.students[key].pk])


def _post(client, world, to="other_therapist", on=TODAY, key="own"):
    to_id = world.staff[to].pk if to in world.staff else to
    on = on.isoformat() if isinstance(on, dt.date) else on
    return client.post(_url(world, key), {"to_staff": to_id, "on": on})


def _primary(world, key="own", on=TODAY):
    return [
        a.staff
        for a in current_assignments(on=on).filter(student=world.students[key], role="primary_otr")
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("supervisor", 200),
        ("admin", 200),
        ("other_supervisor", 404),  # not her team's student
        ("therapist", 403),
        ("cota", 403),
        ("teacher", 403),
        ("parent", 403),
    ],
)
def test_who_moves_a_student(client, world, who, status):
    client.force_login(world.users[who])
    assert client.get(_url(world)).status_code == status
    record = client.get(reverse("student_detail", args=[world.students["own"].pk]))
    if record.status_code == 200:
        assert ("Move to another OTR" in record.content.decode()) == (status == 200)
    assert _post(client, world).status_code == (302 if status == 200 else status)
    moved = status == 200
    assert _primary(world) == [world.staff["other_therapist" if moved else "therapist"]]


def test_another_districts_student_is_not_there(client, world, elsewhere):
    client.force_login(world.users["admin"])
    response = client.post(
        reverse("student_move", args=[elsewhere.students["own"].pk]),
        {"to_staff": world.staff["other_therapist"].pk, "on": TODAY.isoformat()},
    )
    assert response.status_code == 404
    assert _primary(elsewhere) == [elsewhere.staff["therapist"]]


def test_a_move_today_ends_one_assignment_and_begins_the_other(client, world):
    client.force_login(world.users["supervisor"])
    response = _post(client, world)
    # The student went to another team: her supervisor no longer sees the record.
    assert response.status_code == 302 and response.url == reverse("caseload")
    own = world.students["own"]
    old = CaseloadAssignment.objects.get(student=own, staff=world.staff["therapist"])
    assert old.end_date == TODAY - dt.timedelta(days=1)
    new = CaseloadAssignment.objects.get(student=own, staff=world.staff["other_therapist"])
    assert (new.start_date, new.end_date, new.role) == (TODAY, None, "primary_otr")
    assert own in students_visible_to(user=world.users["other_therapist"])
    assert own not in students_visible_to(user=world.users["therapist"])
    assert own not in students_visible_to(user=world.users["supervisor"])
    (joins,) = Notification.objects.filter(user=world.users["other_therapist"])
    assert joins.text.startswith(f"{own.full_name} ({world.school.name}) joins your caseload today")
    (leaves,) = Notification.objects.filter(user=world.users["therapist"])
    assert leaves.text.startswith(f"{own.full_name} leaves your caseload today, for ")
    (teacher,) = Notification.objects.filter(user=world.users["teacher"])
    assert teacher.text.startswith(f"{own.full_name} has a new OTR, ")
    assert "the OT times you know end then" in teacher.text
    assert not Notification.objects.filter(user=world.users["other_teacher"]).exists()
    event = AuditEvent.objects.get(student=own, action="update")
    assert event.actor == world.users["supervisor"] and "caseload moved to" in event.what
    page = client.get(response.url).content.decode()
    assert "moves to" in page and "Both therapists are told" in page


def test_a_move_ahead_keeps_her_until_then_and_her_week_says_so(client, world):
    from schoolot.schedules.week_check import week_check_get

    world.staff["therapist"].schools.add(world.school)
    slot = weekly_slot_make(world=world, weekday=1, start=dt.time(9))
    client.force_login(world.users["admin"])
    assert _post(client, world, on=LATER).status_code == 302
    assert _primary(world) == [world.staff["therapist"]]
    assert _primary(world, on=LATER) == [world.staff["other_therapist"]]
    staff = world.staff["therapist"]
    assert not week_check_get(staff=staff, on=TODAY).strays
    assert [s.pk for s, _names in week_check_get(staff=staff, on=LATER).strays] == [slot.pk]
    # Moved again, sooner: the later move gives way.
    assert _post(client, world, to="supervisor", on=LATER).status_code == 400  # not an OTR
    student_therapist_move(
        user=world.users["admin"],
        student_id=world.students["own"].pk,
        to_staff_id=world.staff["other_therapist"].pk,
        on=TODAY + dt.timedelta(days=3),
        today=TODAY,
    )
    assert _primary(world, on=TODAY + dt.timedelta(days=3)) == [world.staff["other_therapist"]]
    assert _primary(world, on=TODAY + dt.timedelta(days=2)) == [world.staff["therapist"]]
    assert (
        CaseloadAssignment.objects.filter(
            student=world.students["own"], staff=world.staff["other_therapist"]
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("to", "on", "field", "message"),
    [
        ("other_therapist", TODAY - dt.timedelta(days=1), "on", "today or a later day"),
        ("other_therapist", TODAY + dt.timedelta(days=400), "on", "within the next year"),
        ("other_therapist", "soon", "on", "Enter a date such as"),
        ("therapist", TODAY, "to_staff", "Choose one of the OTRs listed"),  # hers already
        ("cota", TODAY, "to_staff", "Choose one of the OTRs listed"),  # not an OTR
        ("teacher", TODAY, "to_staff", "Choose one of the OTRs listed"),
        ("", TODAY, "to_staff", "Choose the OTR to move the student to"),
    ],
)
def test_bad_input_answers_in_place(client, world, to, on, field, message):
    client.force_login(world.users["supervisor"])
    to_id = world.staff[to].pk if to else ""
    response = _post(client, world, to=to_id, on=on)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert "Nothing was moved" in response.content.decode()
    assert _primary(world) == [world.staff["therapist"]]
    assert not Notification.objects.exists()


def test_the_service_refuses_what_the_form_would_not_offer(world):
    with pytest.raises(ValidationError, match="is the OTR of .* on that day already"):
        student_therapist_move(
            user=world.users["supervisor"],
            student_id=world.students["own"].pk,
            to_staff_id=world.staff["therapist"].pk,
            on=TODAY,
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="Choose an OTR of this district"):
        student_therapist_move(
            user=world.users["supervisor"],
            student_id=world.students["own"].pk,
            to_staff_id=world.staff["cota"].pk,
            on=TODAY,
            today=TODAY,
        )


def test_the_choices_serve_her_school_first_with_their_caseloads(world):
    world.staff["other_therapist"].schools.add(world.school)
    choices = therapist_choices_get(
        user=world.users["supervisor"], students=[world.students["own"]], on=TODAY
    )
    assert [c.staff for c in choices] == [world.staff["other_therapist"]]  # not hers already
    (choice,) = choices
    assert choice.students == 1 and choice.serves_school and not choice.mine
    theirs = therapist_choices_get(
        user=world.users["admin"], students=[world.students["other"]], on=TODAY
    )
    assert [(c.staff, c.students, c.mine) for c in theirs] == [(world.staff["therapist"], 1, True)]


def test_her_make_ups_owed_move_with_her(client, world):
    """The minutes are owed to the student: the OTR she moves to owes her make-ups; the one
    she left no longer lists them (nor may she find times for them)."""
    from schoolot.compliance.dashboards import supervisor_dashboard
    from schoolot.delivery.session_selectors import today_get
    from schoolot.schedules.makeups import makeups_owed_get, makeups_team_get
    from tests.delivery.helpers import log, part

    own, cota = world.students["own"], world.students["cota"]
    yesterday = TODAY - dt.timedelta(days=1)
    missed = {"attendance": "missed", "missed_reason": "student_absent", "makeup_owed": True}
    (entry,) = log(world, [part(own, **missed)], day=yesterday).students.all()
    (cotas,) = log(world, [part(cota, **missed)], day=yesterday, who="cota").students.all()
    otr, other = world.staff["therapist"], world.staff["other_therapist"]

    def owed(staff):
        return [e.pk for e in makeups_owed_get(staff=staff)]

    def team(who):
        return {
            t.staff.pk: [e.pk for e in t.owed]
            for t in makeups_team_get(user=world.users[who], on=TODAY)
        }

    def counts(who):
        rows = supervisor_dashboard(user=world.users[who], on=TODAY)
        return {r.staff.pk: r.makeups for r in rows if r.makeups}

    assert owed(otr) == [entry.pk] and owed(other) == []
    assert owed(world.staff["cota"]) == [cotas.pk]  # the COTA's own student stays hers
    assert team("supervisor") == {otr.pk: [entry.pk], world.staff["cota"].pk: [cotas.pk]}
    assert counts("supervisor") == {otr.pk: 1, world.staff["cota"].pk: 1}
    student_therapist_move(
        user=world.users["admin"], student_id=own.pk, to_staff_id=other.pk, on=TODAY, today=TODAY
    )
    assert owed(otr) == [] and owed(other) == [entry.pk]
    assert team("supervisor") == {world.staff["cota"].pk: [cotas.pk]}
    assert team("other_supervisor") == {other.pk: [entry.pk]}
    assert counts("other_supervisor") == {other.pk: 1}
    assert today_get(staff=other, date=TODAY).owed_makeups == 1
    assert today_get(staff=otr, date=TODAY).owed_makeups == 0
    client.force_login(world.users["therapist"])
    assert client.get(reverse("makeup_times", args=[entry.pk])).status_code == 404
    client.force_login(world.users["other_therapist"])
    assert client.get(reverse("makeup_times", args=[entry.pk])).status_code == 200


def test_the_move_page_reads_in_fixed_queries(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from schoolot.accounts.models import Role
    from tests.factories import staff_make

    client.force_login(world.users["admin"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(world)).status_code == 200
    for i in range(8):
        otr = staff_make(
            district=world.district,
            username=f"north-otr{i}",
            role=Role.THERAPIST,
            credential="OTR/L",
            supervisor=world.staff["supervisor"],
        )
        otr.schools.add(world.school)
        CaseloadAssignment.objects.create(
            district=world.district, staff=otr, student=world.students["cota"], start_date=TODAY
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(_url(world)).content.decode()
    assert page.count('<option value="') == 10  # the prompt and the nine OTRs


def test_several_students_chosen_on_the_list_move_at_once(client, world):
    own, cota, other = (world.students[k] for k in ("own", "cota", "other"))
    client.force_login(world.users["admin"])
    listed = client.get(reverse("caseload")).content.decode()
    assert f'name="student" value="{own.pk}" form="move-form"' in listed
    assert "Move the chosen students to another OTR" in listed
    url = reverse("students_move")
    page = client.get(url, {"student": [own.pk, cota.pk]}).content.decode()
    assert "Move 2 students to another OTR" in page
    assert own.full_name in page and cota.full_name in page
    response = client.post(
        url,
        {
            "student": [own.pk, cota.pk],
            "to_staff": world.staff["other_therapist"].pk,
            "on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302 and response.url == reverse("caseload")
    assert _primary(world) == [world.staff["other_therapist"]]
    assert _primary(world, key="cota") == [world.staff["other_therapist"]]
    (joins,) = Notification.objects.filter(user=world.users["other_therapist"])
    assert joins.text.startswith("2 students join your caseload today: ")
    (leaves,) = Notification.objects.filter(user=world.users["therapist"])
    assert leaves.text.startswith(f"{own.full_name} leaves your caseload today")
    assert AuditEvent.objects.filter(action="update", student__in=[own, cota]).count() == 2
    assert "2 students move to" in client.get(response.url).content.decode()


def test_a_move_of_several_is_all_or_none(client, world):
    own, other = world.students["own"], world.students["other"]
    client.force_login(world.users["admin"])
    response = client.post(
        reverse("students_move"),
        {
            "student": [own.pk, other.pk],
            "to_staff": world.staff["other_therapist"].pk,
            "on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 400
    assert f"is the OTR of {other.full_name} on that day already" in response.content.decode()
    with pytest.raises(ValidationError, match=f"is the OTR of {other.full_name} on that day"):
        from schoolot.directory.services import students_therapist_move

        students_therapist_move(
            user=world.users["admin"],
            student_ids=[own.pk, other.pk],
            to_staff_id=world.staff["other_therapist"].pk,
            on=TODAY,
            today=TODAY,
        )
    assert _primary(world) == [world.staff["therapist"]]
    assert not Notification.objects.exists()


def test_the_list_offers_no_move_to_therapists_and_the_page_refuses_others(client, world):
    client.force_login(world.users["therapist"])
    # She supervises a COTA: she picks students to give her, not to move.
    listed = client.get(reverse("caseload")).content.decode()
    assert "Move the chosen students" not in listed and "Give the chosen students" in listed
    client.force_login(world.users["other_therapist"])  # no COTA: nothing to pick for
    assert 'form="move-form"' not in client.get(reverse("caseload")).content.decode()
    client.force_login(world.users["therapist"])
    assert (
        client.get(reverse("students_move"), {"student": world.students["own"].pk}).status_code
        == 403
    )
    client.force_login(world.users["supervisor"])
    url = reverse("students_move")
    assert client.get(url, {"student": world.students["other"].pk}).status_code == 404
    response = client.get(url, follow=True)
    assert "Choose the students to move on the list first." in response.content.decode()


def test_make_ups_of_a_student_with_no_therapist_are_the_districts_to_place(client, world):
    """Her OTR left her and nobody took her on: the administrator sees the minutes still
    owed, and once the student moves to an OTR, that OTR owes them."""
    from schoolot.schedules.makeups import makeups_owed_get
    from tests.delivery.helpers import log, part

    former = world.students["own"]
    missed = {"attendance": "missed", "missed_reason": "student_absent", "makeup_owed": True}
    (entry,) = log(world, [part(former, **missed)]).students.all()
    # Then her OTR's assignment ends, and nobody takes her on.
    CaseloadAssignment.objects.filter(student=former).update(end_date=TODAY - dt.timedelta(days=1))
    assert [e.pk for e in makeups_owed_get(staff=world.staff["therapist"])] == []
    client.force_login(world.users["admin"])
    page = client.get(reverse("makeups")).content.decode()
    assert "Owed to students with no therapist now" in page and former.full_name in page
    client.force_login(world.users["supervisor"])
    assert (
        "Owed to students with no therapist now"
        not in client.get(reverse("makeups")).content.decode()
    )
    student_therapist_move(
        user=world.users["admin"],
        student_id=former.pk,
        to_staff_id=world.staff["other_therapist"].pk,
        on=TODAY,
        today=TODAY,
    )
    assert [e.pk for e in makeups_owed_get(staff=world.staff["other_therapist"])] == [entry.pk]
    client.force_login(world.users["admin"])
    assert (
        "Owed to students with no therapist now"
        not in client.get(reverse("makeups")).content.decode()
    )


def _third_otr(world):
    from tests.factories import staff_make

    third = staff_make(
        district=world.district,
        username="north-third",
        role="therapist",
        credential="OTR/L",
        supervisor=world.staff["supervisor"],
    )
    world.staff["third"] = third
    return third


def test_a_cover_gives_her_back_to_her_otr_the_day_after(client, world):
    """Her OTR on a leave: a cover from LATER for two weeks."""
    own = world.students["own"]
    last = LATER + dt.timedelta(days=13)
    back = last + dt.timedelta(days=1)
    client.force_login(world.users["supervisor"])
    response = client.post(
        _url(world),
        {"to_staff": world.staff["other_therapist"].pk, "on": LATER, "until": last},
    )
    assert response.status_code == 302
    for day, otr in [
        (TODAY, "therapist"),
        (LATER - dt.timedelta(days=1), "therapist"),
        (LATER, "other_therapist"),
        (last, "other_therapist"),
        (back, "therapist"),
        (back + dt.timedelta(days=200), "therapist"),
    ]:
        assert _primary(world, on=day) == [world.staff[otr]], day
    (joins,) = Notification.objects.filter(user=world.users["other_therapist"])
    assert f"until {last:%a %b} {last.day}, covering for " in joins.text
    (otr,) = Notification.objects.filter(user=world.users["therapist"])
    assert f"back to your caseload on {back:%a %b} {back.day}" in otr.text
    (teacher,) = Notification.objects.filter(user=world.users["teacher"])
    assert "covering for the OTR" in teacher.text and "the usual times again" in teacher.text
    event = AuditEvent.objects.get(student=own, action="update", what__contains="moved")
    assert f"until {last}" in event.what
    page = client.get(response.url).content.decode()
    assert "(a cover)" in page


def test_in_a_cover_her_cota_goes_on_under_the_otr_who_covers(client, world):
    from schoolot.directory.services import student_cota_assign
    from schoolot.schedules.services import week_instance

    own, cota = world.students["own"], world.staff["cota"]
    student_cota_assign(
        user=world.users["therapist"],
        student_id=own.pk,
        cota_staff_id=cota.pk,
        on=TODAY,
        today=TODAY,
    )
    Notification.objects.all().delete()
    last = LATER + dt.timedelta(days=13)
    client.force_login(world.users["supervisor"])
    response = client.post(
        _url(world),
        {"to_staff": world.staff["other_therapist"].pk, "on": LATER, "until": last},
    )
    assert response.status_code == 302
    assert _primary(world, on=LATER) == [world.staff["other_therapist"]]
    for day in (LATER, last, last + dt.timedelta(days=1)):
        held = current_assignments(on=day).filter(student=own, role="cota")
        assert [a.staff for a in held] == [cota], day
    # The COTA schedules her through the cover; the OTR who covers does not.
    covering, _ = week_instance(staff=world.staff["other_therapist"], on=LATER)
    assert str(own.pk) not in {s.id for s in covering.students}
    (joins,) = Notification.objects.filter(user=world.users["other_therapist"])
    assert f"A COTA goes on serving {own.full_name} with " in joins.text
    (told,) = Notification.objects.filter(user=world.users["cota"])
    assert "a cover: you go on serving her, under her supervision then" in told.text
    (teacher,) = Notification.objects.filter(user=world.users["teacher"])
    assert "keeps OT with the COTA at the usual times" in teacher.text
    assert "pause" not in teacher.text
    page = client.get(response.url).content.decode()
    assert "(COTA) goes on serving her, under the supervision of the OTR who covers" in page


def test_a_cover_keeps_a_move_dated_after_it_and_cuts_one_within_it(world):
    own = world.students["own"]
    third = _third_otr(world)
    move = dict(user=world.users["admin"], student_id=own.pk, today=TODAY)
    # A move dated after the cover stands.
    student_therapist_move(
        to_staff_id=world.staff["other_therapist"].pk, on=TODAY + dt.timedelta(days=60), **move
    )
    student_therapist_move(
        to_staff_id=third.pk, on=LATER, until=LATER + dt.timedelta(days=6), **move
    )
    assert _primary(world, on=LATER) == [third]
    assert _primary(world, on=LATER + dt.timedelta(days=7)) == [world.staff["therapist"]]
    assert _primary(world, on=TODAY + dt.timedelta(days=60)) == [world.staff["other_therapist"]]
    # A cover over the day of a move begins the moved-to OTR after it; nothing overlaps.
    student_therapist_move(
        to_staff_id=third.pk,
        on=TODAY + dt.timedelta(days=55),
        until=TODAY + dt.timedelta(days=70),
        **move,
    )
    assert _primary(world, on=TODAY + dt.timedelta(days=54)) == [world.staff["therapist"]]
    assert _primary(world, on=TODAY + dt.timedelta(days=65)) == [third]
    assert _primary(world, on=TODAY + dt.timedelta(days=71)) == [world.staff["other_therapist"]]
    for day in range(0, 120):
        assert len(_primary(world, on=TODAY + dt.timedelta(days=day))) == 1, day


@pytest.mark.parametrize(
    ("until", "message"),
    [
        (LATER - dt.timedelta(days=1), "on or after its first day"),
        (LATER + dt.timedelta(days=400), "within a year of its first day"),
        ("soon", "Enter a date such as"),
    ],
)
def test_a_cover_with_a_bad_end_answers_in_place(client, world, until, message):
    client.force_login(world.users["supervisor"])
    until = until.isoformat() if isinstance(until, dt.date) else until
    response = client.post(
        _url(world),
        {"to_staff": world.staff["other_therapist"].pk, "on": LATER, "until": until},
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["until"])
    assert _primary(world, on=LATER) == [world.staff["therapist"]]
    assert CaseloadAssignment.objects.filter(student=world.students["own"]).count() == 1


def test_a_whole_filtered_list_is_moved_or_covered_at_once(client, world):
    """A supervisor lists one therapist's students and covers all of them, no checkbox to
    tick: the list's 'all listed' form sends every student on it."""
    from tests.factories import student_make

    more = student_make(district=world.district, school=world.school, first="Bea", last="Zuniga")
    CaseloadAssignment.objects.create(
        district=world.district, staff=world.staff["therapist"], student=more, start_date=TODAY
    )
    client.force_login(world.users["admin"])
    listed = client.get(
        reverse("caseload"), {"therapist": world.staff["therapist"].pk}
    ).content.decode()
    assert "Move all 2 listed (or cover them)" in listed
    start = listed.index('id="all-form"')
    form = listed[start : listed.index("</form>", start)]
    chosen = sorted(int(v) for v in re.findall(r'name="student" value="(\d+)"', form))
    assert chosen == sorted([world.students["own"].pk, more.pk])
    response = client.post(
        reverse("students_move"),
        {
            "student": chosen,
            "to_staff": world.staff["other_therapist"].pk,
            "on": LATER.isoformat(),
            "until": (LATER + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    for key in ("own", "more"):
        student = more if key == "more" else world.students["own"]
        on_cover = current_assignments(on=LATER).filter(student=student, role="primary_otr")
        after = current_assignments(on=LATER + dt.timedelta(days=31)).filter(
            student=student, role="primary_otr"
        )
        assert [a.staff for a in on_cover] == [world.staff["other_therapist"]]
        assert [a.staff for a in after] == [world.staff["therapist"]]
    # One student listed: nothing to do "all" of.
    one = client.get(reverse("caseload"), {"therapist": world.staff["other_therapist"].pk})
    assert 'id="all-form"' not in one.content.decode()
