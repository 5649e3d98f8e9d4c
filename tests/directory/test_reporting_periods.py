"""Reporting periods on the school calendar's page: administrators and OT supervisors add,
change and remove them in the app (or split a year at once into quarters, trimesters or
semesters); therapists read them; a period with progress reports written keeps its dates
and stays; bad input answers in place and keeps what was typed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from schoolot.directory.models import ReportingPeriod, SchoolYear
from schoolot.directory.selectors import school_calendar_get
from schoolot.directory.services import reporting_period_save, reporting_periods_split
from schoolot.progress.models import ProgressReport
from schoolot.referrals.models import Notification
from tests.factories import TODAY, YEAR_AGO, YEAR_ON, holiday_make

URL = "/school-calendar/"


def _year(world):
    return SchoolYear.objects.get(district=world.district)


def _add(client, world, **fields):
    data = {
        "action": "period",
        "year": _year(world).pk,
        "name": "Quarter 1",
        "start_date": YEAR_AGO,
        "end_date": YEAR_AGO + dt.timedelta(days=60),
    }
    data.update(fields)
    return client.post(
        URL, {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}
    )


def _period(world, name="Quarter 2", start=-30, end=30):
    return ReportingPeriod.objects.create(
        district=world.district,
        school_year=_year(world),
        name=name,
        start_date=TODAY + dt.timedelta(days=start),
        end_date=TODAY + dt.timedelta(days=end),
    )


def _report(world, period, status=ProgressReport.Status.DRAFT):
    own = world.students["own"]
    return ProgressReport.objects.create(
        district=world.district,
        student=own,
        plan=own.plans.get(),
        period=period,
        author=world.staff["therapist"],
        status=status,
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
def test_who_reads_and_who_changes_the_periods(client, world, elsewhere, who, status, edits):
    period = _period(world)
    theirs = _period(elsewhere, name="Their quarter")
    client.force_login(world.users[who])
    response = client.get(URL)
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Quarter 2" in page and "Their quarter" not in page
        assert (reverse("reporting_period_edit", args=[period.pk]) in page) == edits
        assert ("Add the period" in page) == edits
    assert _add(client, world).status_code == (302 if edits else 403)
    assert ReportingPeriod.objects.filter(district=world.district).count() == (2 if edits else 1)
    split = client.post(URL, {"action": "split", "year": _year(world).pk, "parts": 4})
    assert split.status_code == (400 if edits else 403)  # the year has periods already
    for url in (
        reverse("reporting_period_edit", args=[period.pk]),
        reverse("reporting_period_delete", args=[period.pk]),
    ):
        assert client.get(url).status_code == (200 if edits else 403)
    removed = client.post(reverse("reporting_period_delete", args=[period.pk]))
    assert removed.status_code == (302 if edits else 403)
    assert ReportingPeriod.objects.filter(pk=period.pk).exists() != edits
    if edits:  # another district's period and year are not there at all
        for url in (
            reverse("reporting_period_edit", args=[theirs.pk]),
            reverse("reporting_period_delete", args=[theirs.pk]),
        ):
            assert client.post(url, {"name": "x"}).status_code == 404
        assert _add(client, world, year=_year(elsewhere).pk).status_code == 404
        assert ReportingPeriod.objects.filter(district=elsewhere.district).count() == 1


def test_a_period_added_is_listed_with_its_school_days(client, world):
    holiday = holiday_make(district=world.district, day=YEAR_AGO + dt.timedelta(days=14))
    client.force_login(world.users["supervisor"])
    response = _add(client, world)
    assert response.status_code == 302 and response.url.endswith("#periods")
    period = ReportingPeriod.objects.get()
    assert (period.name, period.start_date) == ("Quarter 1", YEAR_AGO)
    (row,) = school_calendar_get(district_id=world.district.pk, today=TODAY).periods
    year = _year(world)
    expected = year.calendar().count_instructional(period.start_date, period.end_date)
    assert row.school_days == expected and row.past and not row.now and row.reports == 0
    assert not year.calendar().is_instructional(holiday)
    page = client.get(response.url).content.decode()
    assert "Saved: Quarter 1" in page and f"<td>{expected}</td>" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"end_date": YEAR_AGO}, "end_date", "must come after the first day"),
        ({"start_date": YEAR_AGO - dt.timedelta(days=1)}, "start_date", "Start inside"),
        ({"end_date": YEAR_ON + dt.timedelta(days=1)}, "end_date", "End inside"),
        ({"name": ""}, "name", "This field is required"),
        ({"start_date": "soon"}, "start_date", "Enter a valid date"),
        ({"name": "quarter 2"}, "name", "has a reporting period named"),
        ({"end_date": TODAY - dt.timedelta(days=29)}, None, "overlaps Quarter 2"),
    ],
)
def test_bad_input_answers_in_place(client, world, fields, field, message):
    _period(world)
    client.force_login(world.users["admin"])
    typed = {"name": "Quarter 1", "start_date": YEAR_AGO, **fields}
    response = _add(client, world, **typed)
    assert response.status_code == 400
    form = response.context["period_form"]
    errors = form.errors.get(field or "__all__")
    assert errors and message in " ".join(errors), form.errors
    page = response.content.decode()
    assert "The period was not added" in page
    for key in ("name", "start_date"):  # what was typed stays in the boxes
        value = typed[key]
        shown = value.isoformat() if isinstance(value, dt.date) else value
        assert f'name="{key}" value="{shown}"' in page or not shown
    assert ReportingPeriod.objects.count() == 1


def test_a_year_split_into_quarters(client, world):
    client.force_login(world.users["admin"])
    assert "Split the year into" in client.get(URL).content.decode()
    response = client.post(URL, {"action": "split", "year": _year(world).pk, "parts": 4})
    assert response.status_code == 302
    quarters = list(ReportingPeriod.objects.order_by("start_date"))
    assert [q.name for q in quarters] == [f"Quarter {k}" for k in (1, 2, 3, 4)]
    calendar = _year(world).calendar()
    sizes = [calendar.count_instructional(q.start_date, q.end_date) for q in quarters]
    assert sum(sizes) == len(calendar.instructional_days()) and max(sizes) - min(sizes) <= 1
    page = client.get(response.url).content.decode()
    assert "4 reporting periods added: Quarter 1, Quarter 2, Quarter 3, Quarter 4" in page
    assert "Split the year into" not in page  # only for a year without periods
    with pytest.raises(ValidationError, match="has reporting periods already"):
        reporting_periods_split(user=world.users["admin"], school_year_id=_year(world).pk, parts=3)
    assert ReportingPeriod.objects.count() == 4


def test_a_split_of_an_unknown_size_is_refused(client, world):
    client.force_login(world.users["admin"])
    response = client.post(URL, {"action": "split", "year": _year(world).pk, "parts": 5})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ReportingPeriod.objects.exists()


def test_a_period_with_reports_keeps_its_dates_and_stays(client, world):
    period = _period(world)
    _report(world, period)
    _report(world, _period(world, name="Quarter 3", start=31, end=60))  # another's don't count
    period_signed = _period(world, name="Quarter 1", start=-90, end=-31)
    _report(world, period_signed, status=ProgressReport.Status.SIGNED)
    client.force_login(world.users["supervisor"])
    page = client.get(URL).content.decode()
    assert page.count("1 written") == 3
    assert reverse("reporting_period_delete", args=[period.pk]) not in page
    edit = reverse("reporting_period_edit", args=[period_signed.pk])
    moved = {
        "name": "Quarter 1",
        "start_date": period_signed.start_date.isoformat(),
        "end_date": (period_signed.end_date + dt.timedelta(days=1)).isoformat(),
    }
    response = client.post(edit, moved)
    assert response.status_code == 400
    text = response.content.decode()
    assert "1 progress report is written for Quarter 1 (1 signed)" in text
    assert "so those dates stay" in text
    period_signed.refresh_from_db()
    assert period_signed.end_date == TODAY - dt.timedelta(days=31)
    renamed = dict(moved, name="First quarter", end_date=period_signed.end_date.isoformat())
    assert client.post(edit, renamed).status_code == 302
    period_signed.refresh_from_db()
    assert period_signed.name == "First quarter"
    response = client.post(reverse("reporting_period_delete", args=[period.pk]))
    assert response.status_code == 400
    assert "so the period stays" in response.content.decode()
    assert ReportingPeriod.objects.filter(pk=period.pk).exists()


def test_a_change_moves_the_due_date(client, world):
    period = _period(world)
    client.force_login(world.users["admin"])
    new_end = TODAY + dt.timedelta(days=20)
    response = client.post(
        reverse("reporting_period_edit", args=[period.pk]),
        {
            "name": "Quarter 2",
            "start_date": period.start_date.isoformat(),
            "end_date": new_end.isoformat(),
        },
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.end_date == new_end
    (row,) = school_calendar_get(district_id=world.district.pk, today=TODAY).periods
    assert row.now and not row.past
    # The OT team hears of the new due date, once each; not who changed it, nor families.
    told = Notification.objects.values_list("user__username", flat=True)
    assert sorted(told) == sorted(
        f"north-{who}"
        for who in ("supervisor", "other_supervisor", "therapist", "cota", "other_therapist")
    )
    text = Notification.objects.first().text
    assert text.startswith("Quarter 2 (this year) now ends ")
    assert text.endswith("its progress reports are due then.")
    # A new name alone moves nothing: nobody else is told.
    client.post(
        reverse("reporting_period_edit", args=[period.pk]),
        {"name": "Q2", "start_date": period.start_date, "end_date": new_end},
    )
    assert Notification.objects.count() == 5
    # Removed before it ends: told again.
    client.post(reverse("reporting_period_delete", args=[period.pk]))
    assert (
        Notification.objects.filter(text__contains="Q2 (this year) is off the calendar").count()
        == 5
    )


def test_service_refuses_a_period_of_another_year(world):
    period = _period(world)
    other = SchoolYear.objects.create(
        district=world.district,
        name="next year",
        first_day=YEAR_ON + dt.timedelta(days=60),
        last_day=YEAR_ON + dt.timedelta(days=300),
    )
    from django.http import Http404

    with pytest.raises(Http404):
        reporting_period_save(
            user=world.users["admin"],
            school_year_id=other.pk,
            period_id=period.pk,
            name="Quarter 2",
            start_date=other.first_day,
            end_date=other.last_day,
        )


def test_the_page_reads_in_fixed_queries(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.users["supervisor"])
    _period(world)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for k in range(6):
        period = _period(world, name=f"Later {k}", start=40 + 10 * k, end=45 + 10 * k)
        _report(world, period) if k % 2 else None
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Later 5" in client.get(URL).content.decode()
