"""The back office answers bad input in place and saves nothing half-written."""

import pytest

from schoolot.directory.models import ReportingPeriod, SchoolYear
from schoolot.plans.models import Plan, ServiceMandate


def management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def plan_post(student, **overrides):
    data = {
        "student": student.pk,
        "kind": "iep",
        "status": "draft",
        "start_date": "2026-09-01",
        "end_date": "2027-08-31",
        "annual_review_due": "2027-08-31",
        "reevaluation_due": "2029-08-31",
    }
    for prefix in ["goals", "mandates", "accommodations", "team"]:
        data.update(management(prefix))
    data.update(overrides)
    return data


def test_plan_ending_before_it_starts(client, world):
    client.force_login(world.users["admin"])
    before = Plan.objects.count()
    response = client.post(
        "/admin/plans/plan/add/", plan_post(world.students["own"], end_date="2026-08-01")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The plan must end after it starts." in html
    assert 'value="2026-09-01"' in html  # what was valid is kept
    assert Plan.objects.count() == before


def test_plan_with_a_bad_mandate_saves_nothing(client, world):
    client.force_login(world.users["admin"])
    before = (Plan.objects.count(), ServiceMandate.objects.count())
    data = plan_post(world.students["own"])
    data.update(management("mandates", total=1))
    data.update(
        {
            "mandates-0-service": "ot",
            "mandates-0-delivery_model": "pull_out",
            "mandates-0-minutes_per_session": "30",
            "mandates-0-sessions_per_period": "2",
            "mandates-0-period": "week",
            "mandates-0-group_allowed": "on",
            "mandates-0-max_group_size": "1",
            "mandates-0-setting": "therapy_room",
            "mandates-0-start_date": "2026-09-01",
            "mandates-0-end_date": "2027-06-01",
        }
    )
    response = client.post("/admin/plans/plan/add/", data)
    assert response.status_code == 200
    assert "A group has at least 2 students." in response.content.decode()
    assert (Plan.objects.count(), ServiceMandate.objects.count()) == before


def test_plan_for_a_student_of_another_district_is_refused(client, world, elsewhere):
    client.force_login(world.users["admin"])
    response = client.post("/admin/plans/plan/add/", plan_post(elsewhere.students["own"]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Plan.objects.filter(student=elsewhere.students["own"], status="draft").exists()


def test_overlapping_reporting_periods_submitted_together(client, world):
    client.force_login(world.users["admin"])
    data = {
        "name": "2027-28",
        "first_day": "2027-08-16",
        "last_day": "2028-05-26",
        **management("events"),
        **management("reporting_periods", total=2),
        "reporting_periods-0-name": "Quarter 1",
        "reporting_periods-0-start_date": "2027-08-16",
        "reporting_periods-0-end_date": "2027-10-15",
        "reporting_periods-1-name": "Quarter 2",
        "reporting_periods-1-start_date": "2027-10-01",
        "reporting_periods-1-end_date": "2027-12-17",
    }
    response = client.post("/admin/directory/schoolyear/add/", data)
    assert response.status_code == 200, response.status_code
    assert "Quarter 2 overlaps Quarter 1" in response.content.decode()
    assert not SchoolYear.objects.filter(name="2027-28").exists()
    assert not ReportingPeriod.objects.filter(name="Quarter 2").exists()


def test_school_year_backwards(client, world):
    client.force_login(world.users["admin"])
    data = {
        "name": "odd",
        "first_day": "2027-08-16",
        "last_day": "2027-01-01",
        **management("events"),
        **management("reporting_periods"),
    }
    response = client.post("/admin/directory/schoolyear/add/", data)
    assert response.status_code == 200
    assert not SchoolYear.objects.filter(name="odd").exists()
    assert "The last day must come after the first day." in response.content.decode()


def test_district_settings_only_for_her_own_district(client, world, elsewhere):
    client.force_login(elsewhere.users["admin"])
    response = client.get(f"/admin/directory/district/{world.district.pk}/change/", follow=True)
    assert world.district.name not in response.content.decode()
    html = client.get("/admin/directory/district/").content.decode()
    assert elsewhere.district.name in html and world.district.name not in html
    client.force_login(world.users["therapist"])
    assert client.get("/admin/directory/district/").status_code in {302, 403}


def test_a_chosen_student_that_is_no_id_is_refused_in_place(client, world):
    """Before: re-rendering the form, the autocomplete widget queried "abc" as an id and the
    page was a server error; now the form says the choice is invalid."""
    client.force_login(world.users["admin"])
    for value in ("abc", "99999999999999999999"):
        before = Plan.objects.count()
        response = client.post(
            "/admin/plans/plan/add/", {**plan_post(world.students["own"]), "student": value}
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert Plan.objects.count() == before
        response = client.post(
            "/admin/schedules/protectedblock/add/",
            {"student": value, "reason": "Reading", "weekdays": "0", "start": "09:00",
             "end": "10:00"},
        )  # fmt: skip
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()


def test_a_20_digit_id_in_a_back_office_form_or_action_is_refused(client, world):
    """SQLite refuses an integer past 64 bits outright: a 20-digit school chosen for a staff
    member and a 20-digit row chosen for an action were server errors."""
    client.force_login(world.users["admin"])
    huge = "99999999999999999999"
    staff = world.staff["therapist"]
    response = client.post(
        f"/admin/directory/staff/{staff.pk}/change/",
        {"user": staff.user_id, "credential": staff.credential, "schools": [huge], "fte": "1"},
    )
    assert response.status_code == 200
    assert f"“{huge}” is not a valid value." in response.content.decode()
    years = SchoolYear.objects.count()
    response = client.post(
        "/admin/directory/schoolyear/",
        {"action": "delete_selected", "_selected_action": [huge, "abc"]},
    )
    assert response.status_code == 302  # "Items must be selected": nothing done
    assert SchoolYear.objects.count() == years


def _year_with_one_event(**event):
    return {
        "name": "2027-28",
        "first_day": "2027-08-16",
        "last_day": "2028-05-26",
        **management("events", total=1),
        **management("reporting_periods"),
        "events-0-kind": "closure",
        "events-0-name": "Water main break",
        "events-0-start_date": "2027-10-05",
        "events-0-end_date": "2027-10-05",
        **{f"events-0-{k}": v for k, v in event.items()},
    }


def test_a_school_closure_in_the_back_office(client, world, elsewhere):
    """One school closed alone: a school of her district only, dates inside the year; what
    is refused is said in place and nothing is saved."""
    from schoolot.directory.models import CalendarEvent

    client.force_login(world.users["admin"])
    response = client.post(
        "/admin/directory/schoolyear/add/", _year_with_one_event(school=elsewhere.school.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        "/admin/directory/schoolyear/add/",
        _year_with_one_event(school=world.school.pk, end_date="2028-06-05"),
    )
    assert response.status_code == 200
    assert "Keep the dates inside the school year" in response.content.decode()
    assert not SchoolYear.objects.filter(name="2027-28").exists()
    response = client.post(
        "/admin/directory/schoolyear/add/", _year_with_one_event(school=world.school.pk)
    )
    assert response.status_code == 302
    event = CalendarEvent.objects.get(name="Water main break")
    assert (event.school, event.district) == (world.school, world.district)


def test_a_closure_ending_before_it_starts_says_so(client, world):
    client.force_login(world.users["admin"])
    response = client.post(
        "/admin/directory/schoolyear/add/",
        _year_with_one_event(start_date="2027-10-05", end_date="2027-10-01"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The end date must be on or after the start date." in html
    assert "Constraint" not in html  # never the database's own words
    assert not SchoolYear.objects.filter(name="2027-28").exists()


def test_times_the_wrong_way_round_say_so_in_words(client, world):
    """Every check the database holds answers in words in the back office, never with the
    constraint's name."""
    from schoolot.schedules.models import BellPeriod

    client.force_login(world.users["admin"])
    response = client.post(
        "/admin/schedules/bellperiod/add/",
        {"school": world.school.pk, "kind": "core", "start": "10:00", "end": "09:00"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The period must end after it starts." in html and "Constraint" not in html
    assert not BellPeriod.objects.exists()
    response = client.post(
        f"/admin/directory/school/{world.school.pk}/change/",
        {
            "name": world.school.name,
            "grade_band": "elementary",
            "day_start": "15:00",
            "day_end": "08:00",
        },
    )
    assert "Dismissal must come after the first bell." in response.content.decode()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("directory/student", "school"),
        ("directory/schoolclass", "school"),
        ("audit/auditevent", "student"),  # not district-scoped in the same way: its own list
        ("directory/district", "id"),
    ],
)
def test_a_20_digit_id_in_a_back_office_list_filter_is_refused(client, world, path, field):
    client.force_login(world.users["admin"])
    url = f"/admin/{path}/"
    response = client.get(url, {field: "99999999999999999999"})
    if response.status_code == 302:  # SQLite refuses the number: the list says the filter is bad
        assert response.url == f"{url}?e=1"
    else:  # PostgreSQL's backend knows no key can match it: an empty list
        assert response.status_code == 200
        assert world.students["own"].last_name not in response.content.decode()
    assert client.get(url, {field: str(world.school.pk)}).status_code == 200
