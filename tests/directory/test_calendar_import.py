"""The days without school from the district's published calendar (.ics): read, chosen,
added all or nothing; what is not a day off stays out."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from schoolot.directory.calendar_import import (
    CalendarImportError,
    ics_days_off_read,
    kind_guess,
)
from schoolot.directory.models import CalendarEvent, SchoolYear
from tests.factories import TODAY, YEAR_ON

URL = "/school-calendar/import/"


def _d(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


BREAK = (TODAY + dt.timedelta(days=30), TODAY + dt.timedelta(days=39))
CHRISTMAS = next(  # a weekday inside the break
    BREAK[0] + dt.timedelta(days=i)
    for i in range(1, 10)
    if (BREAK[0] + dt.timedelta(days=i)).weekday() < 5
)
LATER = YEAR_ON + dt.timedelta(days=30)
SATURDAY = TODAY + dt.timedelta(days=5 - TODAY.weekday() + 7)
ICS = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "BEGIN:VEVENT",
        "SUMMARY:Winter Break - No School",
        f"DTSTART;VALUE=DATE:{_d(BREAK[0])}",
        f"DTEND;VALUE=DATE:{_d(BREAK[1] + dt.timedelta(days=1))}",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "SUMMARY:Christmas Day",
        f"DTSTART;VALUE=DATE:{_d(CHRISTMAS)}",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "SUMMARY:Band concert",
        f"DTSTART:{_d(CHRISTMAS)}T190000",
        f"DTEND:{_d(CHRISTMAS)}T203000",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "SUMMARY:Picture Day",
        f"DTSTART;VALUE=DATE:{_d(BREAK[0] - dt.timedelta(days=3))}",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "SUMMARY:Labor Day",
        f"DTSTART;VALUE=DATE:{_d(LATER)}",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Thanksgiving Break", "break"),
        ("Winter Break - No School", "break"),
        ("Labor Day - No School", "holiday"),
        ("Martin Luther King Jr. Day", "holiday"),
        ("Teacher Workday - No School for Students", "staff_day"),
        ("Professional Development Day", "staff_day"),
        ("Parent-Teacher Conferences (No School)", "closure"),
        ("Early Release Day", None),
        ("Snow Make-Up Day", None),
        ("Picture Day", None),
        ("First Day of School", None),
    ],
)
def test_the_kind_a_name_says(name, kind):
    assert kind_guess(name) == kind


def test_an_ics_file_read():
    folded = ICS.replace("SUMMARY:Christmas Day", "SUMMARY:Christmas\\, the\r\n  Day")
    entries = ics_days_off_read(folded + "BEGIN:VEVENT\r\nSUMMARY:Staff day\r\nRRULE:FREQ=YEARLY")
    picture, winter, christmas, later = entries  # the concert is timed: not a day off
    assert (winter.name, winter.start, winter.end, winter.kind) == (
        "Winter Break - No School",
        *BREAK,
        "break",
    )
    assert (christmas.name, christmas.start, christmas.end) == (
        "Christmas, the Day",
        CHRISTMAS,
        CHRISTMAS,
    )
    assert picture.kind is None and later.kind == "holiday"
    with pytest.raises(CalendarImportError, match="not an iCalendar file"):
        ics_days_off_read("Name,Start\nWinter break,2026-12-21")
    with pytest.raises(CalendarImportError, match="not a date on the calendar"):
        ics_days_off_read("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260231\nEND:VEVENT")
    recurring = ics_days_off_read(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Founders' Day\nDTSTART;VALUE=DATE:20270115\n"
        "RRULE:FREQ=YEARLY\nEND:VEVENT\nEND:VCALENDAR"
    )
    assert recurring[0].recurring and recurring[0].kind is None


def _read(client, school=""):
    upload = SimpleUploadedFile("district.ics", ICS.encode(), content_type="text/calendar")
    return client.post(URL, {"file": upload, "school": school})


def _rows(page: str) -> dict[str, bool]:
    import re

    return {
        name: checked == " checked"
        for checked, name in re.findall(
            r'name="take" value="\d+" id="take-\d+"( checked)?></td>\s*<th scope="row"><label '
            r'for="take-\d+">([^<]+)</label>',
            page,
        )
    }


def test_read_choose_and_add(client, world):
    client.force_login(world.users["admin"])
    assert client.get(URL).status_code == 200
    page = _read(client).content.decode()
    assert _rows(page) == {
        "Picture Day": False,
        "Winter Break - No School": True,
        "Christmas Day": True,
        "Labor Day": False,  # outside the school year on record
    }
    assert "Outside the school years on record" in page and "Band concert" not in page
    response = client.post(
        URL,
        {
            "action": "add",
            "rows": "3",
            "take": ["0", "1", "2"],
            "n-0": "Winter Break - No School",
            "s-0": BREAK[0].isoformat(),
            "e-0": BREAK[1].isoformat(),
            "k-0": "break",
            "n-1": "Christmas Day",
            "s-1": CHRISTMAS.isoformat(),
            "e-1": CHRISTMAS.isoformat(),
            "k-1": "holiday",
            "n-2": "Founders' Day (observed Saturday)",
            "s-2": SATURDAY.isoformat(),
            "e-2": SATURDAY.isoformat(),
            "k-2": "holiday",
        },
        follow=True,
    )
    page = response.content.decode()
    assert (
        "1 day without school added; left out as without school already: Christmas Day, "
        "Founders&#x27; Day (observed Saturday)" in page
    )
    (event,) = CalendarEvent.objects.all()
    assert (event.name, event.kind, event.start_date, event.end_date, event.school) == (
        "Winter Break - No School",
        "break",
        *BREAK,
        None,
    )
    # Read again: it is on the calendar already, not chosen.
    assert _rows(_read(client).content.decode())["Winter Break - No School"] is False


def test_one_schools_own_calendar(client, world, elsewhere):
    """A school with days off of its own (a charter school's calendar): its entries are
    added at that school alone; the district's days stay as they are."""
    from schoolot.referrals.models import Notification
    from tests.factories import weekly_slot_make

    world.staff["therapist"].schools.add(world.school)
    CalendarEvent.objects.create(  # the district's break, not this school's entry
        district=world.district,
        school_year=SchoolYear.objects.get(district=world.district),
        kind="break",
        name="Winter Break - No School",
        start_date=BREAK[0],
        end_date=BREAK[1],
    )
    client.force_login(world.users["supervisor"])
    page = _read(client, school=world.other_school.pk).content.decode()
    assert f"at <strong>{world.other_school.name}</strong> alone" in page
    assert f'name="school" value="{world.other_school.pk}"' in page
    assert _rows(page)["Winter Break - No School"] is True  # not on that school's calendar
    posted = {
        "action": "add",
        "rows": "1",
        "take": ["0"],
        "n-0": "Winter Break - No School",
        "s-0": BREAK[0].isoformat(),
        "e-0": BREAK[1].isoformat(),
        "k-0": "break",
    }
    # The district's break covers those days at every school already: left out.
    response = client.post(URL, {**posted, "school": world.other_school.pk}, follow=True)
    assert "left out as without school already" in response.content.decode()
    assert CalendarEvent.objects.filter(school=world.other_school).count() == 0
    day = SATURDAY + dt.timedelta(days=3)  # a Tuesday, within two weeks and a half
    weekly_slot_make(world=world, weekday=day.weekday(), start=dt.time(9))
    moved = {**posted, "n-0": "Staff retreat", "s-0": day.isoformat(), "e-0": day.isoformat()}
    moved["k-0"] = "staff_day"
    response = client.post(URL, {**moved, "school": world.school.pk}, follow=True)
    assert f"1 day without school added at {world.school.name}" in response.content.decode()
    event = CalendarEvent.objects.get(name="Staff retreat")
    assert (event.school, event.start_date) == (world.school, day)
    told = Notification.objects.filter(user=world.users["therapist"]).count()
    assert told == (1 if (day - TODAY).days < 14 else 0)
    # Another district's school is not there.
    other = elsewhere.school.pk
    assert client.post(URL, {**moved, "school": other}).status_code == 404
    assert client.post(URL, {"school": other, "text": ICS}).status_code == 400


def test_a_refused_entry_adds_nothing_and_keeps_the_choices(client, world):
    client.force_login(world.users["supervisor"])
    response = client.post(
        URL,
        {
            "action": "add",
            "rows": "2",
            "take": ["0", "1"],
            "n-0": "Winter Break",
            "s-0": BREAK[0].isoformat(),
            "e-0": BREAK[1].isoformat(),
            "k-0": "break",
            "n-1": "Labor Day",
            "s-1": LATER.isoformat(),
            "e-1": LATER.isoformat(),
            "k-1": "holiday",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was added" in page and "No school year on record holds" in page
    assert _rows(page) == {"Winter Break": True, "Labor Day": True}
    assert not CalendarEvent.objects.exists()
    response = client.post(URL, {"action": "add", "rows": "1", "take": ["0"], "n-0": "X"})
    assert response.status_code == 400 and "read the file again" in response.content.decode()
    response = client.post(URL, {"action": "add", "rows": "0"})
    assert "Choose at least one entry" in response.content.decode()


def test_bad_files_are_answered_in_place(client, world):
    client.force_login(world.users["admin"])
    response = client.post(URL, {"text": "Winter break,2026-12-21"})
    assert response.status_code == 400 and "not an iCalendar file" in response.content.decode()
    response = client.post(URL, {"text": ""})
    assert "Choose the calendar&#x27;s .ics file" in response.content.decode()
    upload = SimpleUploadedFile("x.ics", b"\xff\xfe\x00binary", content_type="text/calendar")
    assert "This file is not text" in client.post(URL, {"file": upload}).content.decode()
    response = client.post(URL, {"text": "BEGIN:VCALENDAR\nEND:VCALENDAR"})
    assert "no all-day events" in response.content.decode()


@pytest.mark.parametrize("who", ["therapist", "teacher", "parent"])
def test_only_administrators_and_supervisors_import(client, world, who):
    client.force_login(world.users[who])
    assert client.get(URL).status_code == 403
    assert _read(client).status_code == 403
    assert not CalendarEvent.objects.exists()
