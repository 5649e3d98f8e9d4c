"""Fixed time on a date (an annual IEP review): recorded on My hours, refused in place when
wrong, left out of the recurring week, and marked on that day's Today on the sessions it
falls on, with the session one tap from being logged as missed."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from schoolot.delivery.services import weekly_slot_create
from schoolot.schedules.models import Commitment
from schoolot.schedules.services import commitment_add, week_instance
from tests.factories import holiday_make, school_day_next, weekly_slot_make

TODAY = timezone.localdate()


def _one_off(day: dt.date, **typed):
    data = {
        "action": "commitment",
        "commitment-label": "Annual review",
        "commitment-start": "14:00",
        "commitment-end": "15:00",
        "commitment-on": day.isoformat(),
    }
    data.update({f"commitment-{k}": v for k, v in typed.items()})
    return data


def test_a_one_off_is_listed_by_date_and_leaves_the_week_alone(client, week):
    tuesday = school_day_next(district=week.district, weekday=1)
    client.force_login(week.users["therapist"])
    response = client.post(
        reverse("availability"), _one_off(tuesday, school=week.school.pk), follow=True
    )
    html = response.content.decode()
    assert "Added; it shows on that day&#x27;s Today." in html
    listed = f"Annual review · {tuesday:%a %b} {tuesday.day} 2:00–3:00 PM · {week.school.name}"
    assert listed in html
    meeting = Commitment.objects.get()
    assert (meeting.on, meeting.weekdays, meeting.school) == (tuesday, "", week.school)
    # The recurring week neither keeps it free nor draws it; a weekly session may be there.
    instance, _ = week_instance(staff=week.staff["therapist"], on=tuesday)
    assert instance.commitments == []
    assert "Annual review" not in client.get(reverse("slot_list")).content.decode()
    weekly_slot_create(
        user=week.users["therapist"],
        weekday=1,
        start_time=dt.time(14),
        end_time=dt.time(14, 30),
        setting="pull_out",
        student_ids=[week.students["own"].pk],
    )
    # A past one-off is history: kept, not listed.
    meeting.on = TODAY - dt.timedelta(days=7)
    meeting.save()
    assert "Annual review" not in client.get(reverse("availability")).content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"weekdays": ["1"]}, "A one-off is held on its date only: clear the days"),
        ({"on": "12/3"}, "Enter a date such as 2026-12-03."),
        ("past", "has passed; choose today or a day to come."),
        ("saturday", "is a weekend; choose a school day."),
    ],
)
def test_a_bad_date_is_answered_in_place(client, week, typed, message):
    if typed == "past":
        typed = {"on": (TODAY - dt.timedelta(days=1)).isoformat()}
    elif typed == "saturday":
        typed = {"on": (TODAY + dt.timedelta(days=(5 - TODAY.weekday()) % 7 or 7)).isoformat()}
    client.force_login(week.users["therapist"])
    response = client.post(
        reverse("availability"),
        _one_off(school_day_next(district=week.district, weekday=2), **typed),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "The fixed time was not added" in html and message in html
    assert 'id="id_commitment-on_error"' in html  # on its field
    assert 'value="Annual review"' in html  # what was typed stays
    assert not Commitment.objects.exists()


def test_a_day_without_school_is_refused_with_its_reason(client, week):
    thursday = school_day_next(district=week.district, weekday=3)
    holiday_make(district=week.district, day=thursday)
    with pytest.raises(ValidationError) as refused:
        commitment_add(
            user=week.users["therapist"],
            label="Annual review",
            weekdays=[],
            start=dt.time(9),
            end=dt.time(10),
            on=thursday,
        )
    assert refused.value.message_dict["on"] == [
        f"There is no school on {thursday:%A, %B} {thursday.day} (Founders' Day); choose a "
        "school day."
    ]


def test_a_day_her_school_alone_is_closed_is_refused_there_only(week):
    from tests.factories import school_closure_make

    thursday = school_day_next(district=week.district, weekday=3)
    school_closure_make(school=week.school, day=thursday)
    with pytest.raises(ValidationError) as refused:
        commitment_add(
            user=week.users["therapist"],
            label="Annual review",
            weekdays=[],
            start=dt.time(9),
            end=dt.time(10),
            on=thursday,
            school_id=week.school.pk,
        )
    assert refused.value.message_dict["on"] == [
        f"There is no school at {week.school.name} on {thursday:%A, %B} {thursday.day} "
        "(Water main break); choose another day or place."
    ]
    commitment_add(  # held elsewhere (the district office): the district is open
        user=week.users["therapist"],
        label="Annual review",
        weekdays=[],
        start=dt.time(9),
        end=dt.time(10),
        on=thursday,
    )


def test_one_offs_and_recurring_time_never_overlap_on_a_day_both_hold(week):
    therapist = week.users["therapist"]
    tuesday, wednesday = (
        school_day_next(district=week.district, weekday=1),
        school_day_next(district=week.district, weekday=2),
    )
    commitment_add(
        user=therapist, label="IEP meetings", weekdays=[1], start=dt.time(14), end=dt.time(15)
    )

    def one_off(day, start, end, label="Annual review"):
        return commitment_add(
            user=therapist, label=label, weekdays=[], start=start, end=end, on=day
        )

    with pytest.raises(ValidationError) as refused:
        one_off(tuesday, dt.time(14, 30), dt.time(15, 30))
    assert refused.value.message_dict["start"] == [
        "This overlaps IEP meetings (Tue 2:00 PM–3:00 PM); change or remove that first."
    ]
    one_off(wednesday, dt.time(14, 30), dt.time(15, 30))  # not a day the meetings recur
    with pytest.raises(ValidationError) as refused:
        one_off(wednesday, dt.time(15), dt.time(16), label="Evaluation")
    assert refused.value.message_dict["start"] == [
        f"This overlaps Annual review ({wednesday:%a %b} {wednesday.day} 2:30 PM–3:30 PM); "
        "change or remove that first."
    ]
    one_off(wednesday + dt.timedelta(days=7), dt.time(15), dt.time(16))  # another date
    # Recurring time over a one-off to come is refused; over a past one it is not.
    with pytest.raises(ValidationError):
        commitment_add(
            user=therapist, label="Team", weekdays=[2], start=dt.time(14), end=dt.time(15)
        )
    Commitment.objects.filter(on__isnull=False).update(on=TODAY - dt.timedelta(days=7))
    commitment_add(user=therapist, label="Team", weekdays=[2], start=dt.time(14), end=dt.time(15))
    assert Commitment.objects.count() == 4


def test_a_one_off_may_fall_on_a_locked_session_and_says_so(client, week):
    tuesday = school_day_next(district=week.district, weekday=1)
    weekly_slot_make(world=week, weekday=1, start=dt.time(14, 15), locked=True)
    client.force_login(week.users["therapist"])
    response = client.post(reverse("availability"), _one_off(tuesday), follow=True)
    html = response.content.decode()
    assert (
        f"Added. On {tuesday:%A, %B} {tuesday.day} it falls on your 2:15 PM session at "
        f"{week.school.name}; that day&#x27;s Today marks it, to log as missed or to move."
    ) in html
    assert Commitment.objects.filter(on=tuesday).exists()


def test_today_marks_the_session_a_one_off_falls_on(client, week, monkeypatch):
    tuesday = school_day_next(district=week.district, weekday=1)
    clashing = weekly_slot_make(world=week, weekday=1, start=dt.time(14, 15))
    weekly_slot_make(world=week, weekday=1, start=dt.time(9))
    commitment_add(
        user=week.users["therapist"],
        label="Annual review",
        weekdays=[],
        start=dt.time(14),
        end=dt.time(15),
        school_id=week.school.pk,
        on=tuesday,
    )
    client.force_login(week.users["therapist"])
    missed = (
        f"{reverse('session_new')}?slot={clashing.pk}&amp;date={tuesday.isoformat()}"
        "&amp;missed=therapist_pulled"
    )
    # Ahead of the day: marked, nothing to log yet (sessions are logged on or after their day).
    page = client.get(reverse("today"), {"date": tuesday.isoformat()}).content.decode()
    assert "2:00–3:00 PM</strong> Annual review" in page  # in the day's fixed time
    assert page.count('class="clash"') == 1  # the 2:15 session only, not the 9:00
    assert "Falls in Annual review (2:00–3:00 PM): on the day, log it as missed" in page
    assert missed not in page and "Log a session" not in page
    # On the day: one tap to log it as missed.
    monkeypatch.setattr(timezone, "localdate", lambda *a: tuesday)
    page = client.get(reverse("today")).content.decode()
    assert page.count('class="clash"') == 1
    assert "Falls in Annual review (2:00–3:00 PM): log it as missed" in page
    assert missed in page
    # A week later the session is held as usual.
    later = school_day_next(district=week.district, weekday=1, after=tuesday)
    page = client.get(reverse("today"), {"date": later.isoformat()}).content.decode()
    assert "Annual review" not in page and 'class="clash"' not in page


def test_log_as_missed_opens_the_form_with_the_reason_and_a_make_up(client, week):
    tuesday = school_day_next(district=week.district, weekday=1)
    slot = weekly_slot_make(world=week, weekday=1, start=dt.time(14, 15))
    student = week.students["own"]
    client.force_login(week.users["therapist"])
    url = reverse("session_new")
    page = client.get(
        url, {"slot": slot.pk, "date": tuesday.isoformat(), "missed": "therapist_pulled"}
    ).content.decode()

    def checked(name, value):
        tag = re.search(rf'<input[^>]*name="s{student.pk}-{name}"[^>]*value="{value}"[^>]*>', page)
        return tag is not None and "checked" in tag.group(0)

    assert checked("attendance", "missed") and not checked("attendance", "present")
    assert re.search(r'<option value="therapist_pulled" selected>', page)
    assert re.search(rf'<input[^>]*name="s{student.pk}-makeup_owed"[^>]*checked', page)
    # An unknown reason is ignored: the usual form.
    page = client.get(
        url, {"slot": slot.pk, "date": tuesday.isoformat(), "missed": "nonsense"}
    ).content.decode()
    assert checked("attendance", "present") and not checked("attendance", "missed")
