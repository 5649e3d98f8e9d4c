"""The school calendar's page: administrators and OT supervisors enter the days without school
(a snow day, a water main break at one school) in the app, not only the back office;
therapists read them; nobody else sees the page; bad input answers in place."""

import datetime as dt

import pytest
from django.urls import reverse

from schoolot.directory.models import CalendarEvent, SchoolYear
from schoolot.referrals.models import Notification
from schoolot.rules.calendar import weekdays, weekdays_between
from tests.factories import TODAY, YEAR_AGO, YEAR_ON, holiday_make, weekly_slot_make

# A school day (Monday to Thursday) within the next two weeks, and the one after it.
DAY = TODAY + dt.timedelta(days=1 if TODAY.weekday() < 3 else 7 - TODAY.weekday())
NEXT = DAY + dt.timedelta(days=1)
URL = "/school-calendar/"


@pytest.fixture
def week(world):
    """The world with its therapist serving its elementary school."""
    world.staff["therapist"].schools.add(world.school)
    return world


def _post(client, **fields):
    data = {"kind": "closure", "name": "Water main break", "school": "", "end_date": ""}
    data.update({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in fields.items()})
    return client.post(URL, data)


def _notes(user):
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("text", flat=True)
    )


@pytest.mark.parametrize(
    ("who", "status", "edits"),
    [
        ("admin", 200, True),
        ("supervisor", 200, True),
        ("therapist", 200, False),
        ("cota", 200, False),
        ("teacher", 403, False),
        ("parent", 403, False),
    ],
)
def test_who_reads_and_who_changes_the_calendar(client, world, elsewhere, who, status, edits):
    mine = holiday_make(district=world.district, day=DAY)
    elsewhere_event = CalendarEvent.objects.create(
        district=elsewhere.district,
        school_year=SchoolYear.objects.get(district=elsewhere.district),
        kind="closure",
        name="Elsewhere flood",
        start_date=DAY,
        end_date=DAY,
    )
    event = CalendarEvent.objects.get(district=world.district)
    client.force_login(world.users[who])
    response = client.get(URL)
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Founders&#x27; Day" in page and "Elsewhere flood" not in page
        assert ("Add to the calendar" in page) == edits
        assert (reverse("calendar_event_edit", args=[event.pk]) in page) == edits
    posted = _post(client, start_date=NEXT)
    assert posted.status_code == (302 if edits else 403)
    assert CalendarEvent.objects.filter(district=world.district).count() == (2 if edits else 1)
    edit = client.get(reverse("calendar_event_edit", args=[event.pk]))
    assert edit.status_code == (200 if edits else 403)
    removed = client.post(reverse("calendar_event_delete", args=[event.pk]))
    assert removed.status_code == (302 if edits else 403)
    if edits:  # another district's event is not there at all
        for url in (
            reverse("calendar_event_edit", args=[elsewhere_event.pk]),
            reverse("calendar_event_delete", args=[elsewhere_event.pk]),
        ):
            assert client.post(url, {"name": "x"}).status_code == 404
        assert CalendarEvent.objects.filter(pk=elsewhere_event.pk).exists()
    assert mine == DAY


def test_a_closure_entered_in_the_app_tells_the_therapist(client, week):
    weekly_slot_make(world=week, weekday=DAY.weekday(), start=dt.time(9))
    client.force_login(week.users["supervisor"])
    response = _post(client, school=week.school.pk, start_date=DAY)
    assert response.status_code == 302
    event = CalendarEvent.objects.get()
    assert (event.school, event.start_date, event.end_date) == (week.school, DAY, DAY)
    assert event.school_year == SchoolYear.objects.get(district=week.district)
    (note,) = _notes(week.users["therapist"])
    assert note.startswith(f"No school at {week.school.name} on {DAY:%a %b} {DAY.day} ")
    page = client.get(response.url).content.decode()
    assert "Saved: Water main break. 1 therapist told" in page
    assert week.school.name in page


def test_a_change_and_a_removal_are_told(client, week):
    weekly_slot_make(world=week, weekday=DAY.weekday(), start=dt.time(9))
    weekly_slot_make(world=week, weekday=NEXT.weekday(), start=dt.time(9))
    client.force_login(week.users["admin"])
    _post(client, start_date=DAY)
    event = CalendarEvent.objects.get()
    response = client.post(
        reverse("calendar_event_edit", args=[event.pk]),
        {
            "kind": "closure",
            "name": "Snow day",
            "school": "",
            "start_date": NEXT.isoformat(),
            "end_date": "",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.name, event.start_date, event.end_date) == ("Snow day", NEXT, NEXT)
    notes = _notes(week.users["therapist"])
    assert len(notes) == 3  # entered; then moved: one day taken, one given back
    assert any(n.startswith(f"School is open on {DAY:%a %b} {DAY.day} after all") for n in notes)
    response = client.post(reverse("calendar_event_delete", args=[event.pk]))
    assert response.status_code == 302
    assert not CalendarEvent.objects.exists()
    assert _notes(week.users["therapist"])[-1].startswith(
        f"School is open on {NEXT:%a %b} {NEXT.day} after all (Snow day is off the calendar)"
    )
    assert "Snow day is off the calendar. 1 therapist told" in (
        client.get(response.url).content.decode()
    )


def _refused(response, *texts):
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was added" in page
    for text in texts:
        assert text in page, text
    assert not CalendarEvent.objects.exists()
    return page


def test_bad_input_is_answered_in_place_and_keeps_what_was_typed(client, world, elsewhere):
    client.force_login(world.users["admin"])
    page = _refused(
        _post(client, name="Ice storm", start_date=NEXT, end_date=DAY),
        "The last day must be on or after the first day.",
    )
    assert 'value="Ice storm"' in page
    saturday = TODAY + dt.timedelta(days=5 - TODAY.weekday() + 7)
    _refused(
        _post(client, start_date=saturday, end_date=saturday + dt.timedelta(days=1)),
        "Those days fall on a weekend",
    )
    _refused(
        _post(client, start_date=YEAR_ON + dt.timedelta(days=30)),
        f"No school year on record holds {YEAR_ON + dt.timedelta(days=30):%b %d, %Y}",
    )
    _refused(
        _post(
            client,
            start_date=YEAR_ON - dt.timedelta(days=1),
            end_date=YEAR_ON + dt.timedelta(days=3),
        ),
        f"ends on {YEAR_ON:%b %d, %Y}",
    )
    _refused(_post(client, school=elsewhere.school.pk, start_date=DAY), "Select a valid choice")
    _refused(_post(client, start_date="31/12/2026"), "Enter a valid date")
    _refused(_post(client, name="", start_date=DAY), "This field is required")
    _refused(_post(client, kind="party", start_date=DAY), "Select a valid choice")


def test_days_already_without_school_are_refused(client, world):
    holiday_make(district=world.district, day=DAY)
    client.force_login(world.users["supervisor"])
    response = _post(client, school=world.school.pk, start_date=DAY)
    assert response.status_code == 400
    assert "Those days are already without school at that school: Founders&#x27; Day." in (
        response.content.decode()
    )
    assert CalendarEvent.objects.count() == 1
    # A run that reaches past the holiday takes a school day too: it is entered.
    assert _post(client, school=world.school.pk, start_date=DAY, end_date=NEXT).status_code == 302


def test_the_year_and_its_school_days(client, world):
    year = SchoolYear.objects.get(district=world.district)
    holiday_make(district=world.district, day=DAY)
    client.force_login(world.users["therapist"])
    page = client.get(URL).content.decode()
    days = len(year.calendar().instructional_days())
    assert f"<strong>{days} school days</strong> in every school" in page
    left = len(year.calendar().instructional_days(start=TODAY))
    assert f"{left} of them from today" in page
    later = SchoolYear.objects.create(
        district=world.district,
        name="next year",
        first_day=YEAR_ON + dt.timedelta(days=60),
        last_day=YEAR_ON + dt.timedelta(days=300),
    )
    page = client.get(URL, {"year": later.pk}).content.decode()
    assert "No breaks, holidays or closures entered for this year." in page
    assert client.get(URL, {"year": 10**12}).status_code == 404
    assert client.get(URL, {"year": "junk"}).status_code == 200  # the current year
    assert YEAR_AGO < TODAY


def test_the_page_reads_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    year = SchoolYear.objects.get(district=world.district)
    client.force_login(world.users["admin"])

    def add(n):
        for i in range(CalendarEvent.objects.count(), CalendarEvent.objects.count() + n):
            day = YEAR_AGO + dt.timedelta(days=7 * i + 1)
            CalendarEvent.objects.create(
                district=world.district,
                school_year=year,
                school=world.school if i % 2 else None,
                kind="closure",
                name=f"Closure {i}",
                start_date=day,
                end_date=day,
            )

    add(2)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    add(25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Closure 26" in client.get(URL).content.decode()


def test_weekdays_between_counts_monday_to_friday():
    start = dt.date(2026, 11, 30)  # a Monday
    for span in range(0, 30):
        for offset in range(7):
            first = start + dt.timedelta(days=offset)
            last = first + dt.timedelta(days=span)
            expected = sum((first + dt.timedelta(days=i)).weekday() < 5 for i in range(span + 1))
            assert weekdays_between(first, last) == expected == len(weekdays(first, last))
            assert all(d.weekday() < 5 and first <= d <= last for d in weekdays(first, last))
    before = start - dt.timedelta(days=1)
    assert weekdays_between(start, before) == 0 and weekdays(start, before) == []


def test_removing_is_asked_first(client, world):
    holiday_make(district=world.district, day=DAY)
    event = CalendarEvent.objects.get()
    client.force_login(world.users["admin"])
    url = reverse("calendar_event_delete", args=[event.pk])
    assert f'href="{url}"' in client.get(URL).content.decode()
    page = client.get(url).content.decode()
    assert "Remove Founders&#x27; Day?" in page and "become school days again" in page
    assert CalendarEvent.objects.exists()
    assert client.post(url).status_code == 302
    assert not CalendarEvent.objects.exists()


def _year(client, **typed):
    return client.post(URL, {"action": "year", **typed})


def test_a_school_year_added_in_the_app(client, world):
    client.force_login(world.users["supervisor"])
    first, last = YEAR_ON + dt.timedelta(days=60), YEAR_ON + dt.timedelta(days=330)
    response = _year(client, name="next year", first_day=first, last_day=last)
    assert response.status_code == 302
    year = SchoolYear.objects.get(name="next year")
    assert (year.first_day, year.last_day, year.district) == (first, last, world.district)
    assert response.url.endswith(f"?year={year.pk}")
    refused = [
        (
            dict(
                name="This Year",
                first_day=last + dt.timedelta(days=60),
                last_day=last + dt.timedelta(days=300),
            ),
            "The district has a school year named This Year.",
        ),
        (
            dict(
                name="overlap",
                first_day=YEAR_ON - dt.timedelta(days=5),
                last_day=YEAR_ON + dt.timedelta(days=50),
            ),
            "These days overlap this year",
        ),
        (
            dict(
                name="backwards",
                first_day=last + dt.timedelta(days=90),
                last_day=last + dt.timedelta(days=60),
            ),
            "The last day must come after the first day.",
        ),
        (
            dict(
                name="long",
                first_day=last + dt.timedelta(days=60),
                last_day=last + dt.timedelta(days=600),
            ),
            "at most about a year long",
        ),
        (dict(name="", first_day="junk", last_day=""), "This field is required"),
    ]
    for typed, message in refused:
        response = _year(client, **typed)
        assert response.status_code == 400, typed
        page = response.content.decode()
        assert "The school year was not added" in page and message in page, message
    assert SchoolYear.objects.filter(district=world.district).count() == 2
    client.force_login(world.users["therapist"])
    assert _year(client, name="x", first_day=first, last_day=last).status_code == 403
