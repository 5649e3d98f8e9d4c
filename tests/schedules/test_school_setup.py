"""The district's school data for the scheduler: each school's bell periods and the travel
matrix between schools; who may see and change them; what the scheduler then reads."""

import datetime as dt
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from schoolot.directory.models import School, Staff
from schoolot.schedules.models import BellPeriod, TravelTime
from schoolot.schedules.seed import schedule_data_seed
from schoolot.schedules.services import (
    TRAVEL_DEFAULT_MINUTES,
    bell_period_add,
    school_location_set,
    travel_default_minutes,
    travel_times_save,
    week_instance,
)
from schoolot.scheduling.instance import Bell

TODAY = timezone.localdate()

BELL = {
    "kind": "core",
    "name": "Typed reading block",
    "start": "09:00",
    "end": "10:30",
    "grades": ["1", "K"],
    "weekdays": ["2", "0"],
}


def cell(origin, destination) -> str:
    return f"travel-{origin.pk}-{destination.pk}"


def matrix(schools, **typed) -> dict[str, str]:
    """A posted matrix: every cell blank except those given as "a_b" = value (a, b indexes
    into `schools`)."""
    data = {cell(a, b): "" for a in schools for b in schools if a != b}
    for key, value in typed.items():
        a, b = (int(i) for i in key.split("_"))
        data[cell(schools[a], schools[b])] = value
    return data


@pytest.fixture
def bells_url(world):
    return reverse("school_bells", args=[world.school.pk])


# -- Who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "supervisor", "other_supervisor"])
def test_admins_and_supervisors_see_and_change(client, world, bells_url, role):
    client.force_login(world.users[role])
    index = client.get(reverse("school_bells_index")).content.decode()
    assert world.school.name in index and world.other_school.name in index
    assert bells_url in index and reverse("travel_times") in index
    html = client.get(bells_url).content.decode()
    assert "Add a period" in html
    assert "Save travel times" in client.get(reverse("travel_times")).content.decode()
    assert client.post(bells_url, BELL).status_code == 302
    schools = [world.school, world.other_school]
    assert client.post(reverse("travel_times"), matrix(schools, **{"0_1": "9"})).status_code == 302
    assert BellPeriod.objects.count() == 1 and TravelTime.objects.count() == 1
    home = client.get(reverse("schedules_district")).content.decode()
    assert reverse("school_bells_index") in home  # the header link


@pytest.mark.parametrize("role", ["therapist", "cota"])
def test_therapists_read_only(client, world, bells_url, role):
    bell = BellPeriod.objects.create(
        district=world.district,
        school=world.school,
        kind="lunch",
        start=dt.time(11),
        end=dt.time(11, 30),
    )
    TravelTime.objects.create(
        district=world.district, origin=world.school, destination=world.other_school, minutes=11
    )
    client.force_login(world.users[role])
    assert client.get(reverse("school_bells_index")).status_code == 200
    html = client.get(bells_url).content.decode()
    assert "Lunch" in html and "11:00" in html
    assert "Add a period" not in html and 'name="delete"' not in html
    travel = client.get(reverse("travel_times")).content.decode()
    assert ">11<" in travel and "(as the other way)" in travel and 'name="travel-' not in travel
    assert client.post(bells_url, BELL).status_code == 403
    assert client.post(bells_url, {"delete": bell.pk}).status_code == 403
    schools = [world.school, world.other_school]
    posted = matrix(schools, **{"0_1": "40"})
    assert client.post(reverse("travel_times"), posted).status_code == 403
    assert list(BellPeriod.objects.all()) == [bell]
    assert TravelTime.objects.get().minutes == 11
    with pytest.raises(PermissionDenied):
        travel_times_save(
            user=world.users[role], minutes={(world.school.pk, world.other_school.pk): 5}
        )


@pytest.mark.parametrize("role", ["teacher", "parent"])
def test_teachers_and_parents_refused(client, world, bells_url, role):
    client.force_login(world.users[role])
    for url in (reverse("school_bells_index"), bells_url, reverse("travel_times")):
        assert client.get(url).status_code == 403
    assert client.post(bells_url, BELL).status_code == 403
    schools = [world.school, world.other_school]
    assert client.post(reverse("travel_times"), matrix(schools, **{"0_1": "9"})).status_code == 403
    assert not BellPeriod.objects.exists() and not TravelTime.objects.exists()


def test_another_district_is_not_found(client, world, elsewhere, bells_url):
    bell = BellPeriod.objects.create(
        district=world.district,
        school=world.school,
        kind="lunch",
        start=dt.time(11),
        end=dt.time(11, 30),
    )
    for role in ("admin", "supervisor", "therapist"):
        client.force_login(elsewhere.users[role])
        assert client.get(bells_url).status_code == 404
        assert client.post(bells_url, BELL).status_code == 404
        assert client.post(bells_url, {"delete": bell.pk}).status_code == 404
        for url in (reverse("school_bells_index"), reverse("travel_times")):
            html = client.get(url).content.decode()
            assert elsewhere.school.name in html and world.school.name not in html
    # Posting the other district's cells changes nothing there (they are not in the form).
    client.force_login(elsewhere.users["admin"])
    client.post(reverse("travel_times"), matrix([world.school, world.other_school], **{"0_1": "9"}))
    assert not TravelTime.objects.exists() and BellPeriod.objects.get() == bell
    with pytest.raises(PermissionDenied):
        travel_times_save(
            user=elsewhere.users["admin"], minutes={(world.school.pk, world.other_school.pk): 9}
        )
    with pytest.raises(PermissionDenied):
        bell_period_add(
            user=elsewhere.users["admin"],
            school_id=world.school.pk,
            kind="core",
            start=dt.time(9),
            end=dt.time(10),
        )


def test_anonymous_goes_to_login(client, bells_url):
    response = client.get(bells_url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


# -- A school's day ---------------------------------------------------------------------------


def test_add_bells_listed_by_start_and_delete(client, world, bells_url):
    client.force_login(world.users["supervisor"])
    response = client.post(bells_url, BELL)
    assert response.status_code == 302 and response["Location"] == bells_url
    bell = BellPeriod.objects.get()
    assert bell.district == world.district and bell.school == world.school
    assert (bell.grades, bell.weekdays) == ("K,1", "0,2")  # the grade list's order, days sorted
    client.post(bells_url, {"kind": "lunch", "start": "08:15", "end": "08:45"})
    html = client.get(bells_url).content.decode()
    assert "Period added" in html
    assert html.index("8:15") < html.index("9:00")  # sorted by start, not by entry
    assert "Typed reading block" in html and "K, 1" in html and "Mon, Wed" in html
    assert "Every grade" in html and "Every day" in html  # the lunch has neither
    response = client.post(bells_url, {"delete": bell.pk})
    assert response.status_code == 302
    assert list(BellPeriod.objects.values_list("kind", flat=True)) == ["lunch"]
    html = client.get(bells_url).content.decode()
    assert "Period removed" in html
    client.post(bells_url, {"delete": bell.pk})  # twice: nothing to remove, no error
    assert "already removed" in client.get(bells_url).content.decode()
    # A period of another school can't be removed through this one's page.
    other = BellPeriod.objects.create(
        district=world.district,
        school=world.other_school,
        kind="core",
        start=dt.time(9),
        end=dt.time(10),
    )
    client.post(bells_url, {"delete": other.pk})
    assert BellPeriod.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"start": "10:30", "end": "10:00"}, "The period must end after it starts."),
        ({"start": "07:30"}, "day starts at 8:00 AM; periods fit inside 8:00 AM to 3:00 PM."),
        ({"end": "15:30"}, "day ends at 3:00 PM; periods fit inside 8:00 AM to 3:00 PM."),
        ({"grades": ["1", "13"]}, "Grades are PK, K and 1 to 12. Not a grade: 13."),
        ({"weekdays": ["0", "5"]}, "Days are Monday to Friday."),
        ({"kind": "nap"}, "Choose the kind of period."),
        ({"start": ""}, "Enter when the period starts."),
    ],
)
def test_bell_validation_in_place(client, world, bells_url, change, message):
    client.force_login(world.users["admin"])
    response = client.post(bells_url, {**BELL, **change})
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and "The period was not added" in html
    assert 'value="Typed reading block"' in html  # what was typed is still there
    if "end" not in change:
        assert 'value="10:30"' in html
    if "grades" not in change:
        assert 'name="grades" value="K" id="id_grades_1" checked' in html
    assert not BellPeriod.objects.exists()


def test_a_school_with_a_different_day(client, world):
    school = School.objects.create(
        district=world.district,
        name="north High",
        grade_band="high",
        day_start=dt.time(7, 15),
        day_end=dt.time(14, 20),
    )
    client.force_login(world.users["admin"])
    url = reverse("school_bells", args=[school.pk])
    assert client.post(url, {**BELL, "start": "07:15", "end": "08:00"}).status_code == 302
    html = client.post(url, {**BELL, "start": "13:00", "end": "14:30"}).content.decode()
    assert "north High&#x27;s day ends at 2:20 PM" in html
    assert BellPeriod.objects.count() == 1


# -- A grade's periods do not overlap ---------------------------------------------------------

OVERLAP_TAIL = "; a grade's periods cannot overlap."


@pytest.fixture
def lunch(world):
    """Lunch, 11:30-12:00, for K to 2 on Monday and Wednesday."""
    return BellPeriod.objects.create(
        district=world.district,
        school=world.school,
        kind="lunch",
        name="Lunch",
        grades="K,1,2",
        weekdays="0,2",
        start=dt.time(11, 30),
        end=dt.time(12),
    )


def add(world, **typed) -> BellPeriod:
    """bell_period_add by the administrator at world.school: a core period, 11:30-12:00,
    every grade and day unless typed otherwise."""
    return bell_period_add(
        user=world.users["admin"],
        school_id=world.school.pk,
        **{"kind": "core", "start": dt.time(11, 30), "end": dt.time(12), **typed},
    )


def refusal(world, **typed) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        add(world, **typed)
    return exc.value.message_dict


def test_an_overlap_for_a_shared_grade_and_day_is_refused(world, lunch):
    errors = refusal(
        world,
        grades=["K", "1", "2", "3"],
        weekdays=[0, 2, 4],
        start=dt.time(11, 45),
        end=dt.time(12, 30),
    )
    assert errors == {
        "start": [
            "This overlaps Lunch (11:30 AM–12:00 PM, grades K, 1, 2) on Mon, Wed" + OVERLAP_TAIL
        ]
    }
    # Only what the two share is named; a period inside the other overlaps it too.
    errors = refusal(
        world, grades=["2", "5"], weekdays=[2], start=dt.time(11, 40), end=dt.time(11, 50)
    )
    assert errors["start"] == [
        "This overlaps Lunch (11:30 AM–12:00 PM, grade 2) on Wed" + OVERLAP_TAIL
    ]
    assert list(BellPeriod.objects.all()) == [lunch]  # nothing written


@pytest.mark.parametrize(
    "typed",
    [
        {"grades": ["3", "4"], "weekdays": [0, 2]},  # the same days, other grades
        {"grades": ["K", "1", "2"], "weekdays": [1, 3, 4]},  # the same grades, other days
    ],
    ids=["disjoint-grades", "disjoint-days"],
)
def test_same_times_without_a_shared_grade_or_day_are_accepted(world, lunch, typed):
    bell = add(world, **typed)
    assert (bell.start, bell.end) == (lunch.start, lunch.end)
    assert BellPeriod.objects.count() == 2


@pytest.mark.parametrize(
    "typed, shared",
    [
        ({}, "every grade) every day"),
        ({"grades": ["K", "1"]}, "grades K, 1) every day"),
        ({"grades": ["5"], "weekdays": [4]}, "grade 5) on Fri"),
        ({"weekdays": [3, 1], "start": dt.time(8), "end": dt.time(15)}, "every grade) on Tue, Thu"),
    ],
)
def test_an_every_grade_every_day_period_collides_with_any_overlap(world, typed, shared):
    recess = BellPeriod.objects.create(
        district=world.district,
        school=world.school,
        kind="recess",  # no name: called by its kind
        start=dt.time(11, 45),
        end=dt.time(12, 15),
    )
    assert refusal(world, **typed) == {
        "start": [f"This overlaps Recess (11:45 AM–12:15 PM, {shared}" + OVERLAP_TAIL]
    }
    assert list(BellPeriod.objects.all()) == [recess]


def test_each_period_overlapped_is_named_in_one_query(world, lunch):
    for hour in (9, 10, 13):
        BellPeriod.objects.create(
            district=world.district,
            school=world.school,
            kind="core",
            start=dt.time(hour),
            end=dt.time(hour, 30),
        )
    BellPeriod.objects.create(  # another school's day is its own
        district=world.district,
        school=world.other_school,
        kind="core",
        start=dt.time(9),
        end=dt.time(14),
    )
    typed = {"grades": ["1"], "weekdays": [0], "start": dt.time(9, 15), "end": dt.time(13, 15)}
    with CaptureQueriesContext(connection) as queries:
        errors = refusal(world, **typed)
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 2 and "directory_school" in reads[0]  # the school, then its periods
    assert [m.split(" (")[0] for m in errors["start"]] == [
        "This overlaps Core instruction",
        "This overlaps Core instruction",
        "This overlaps Lunch",
        "This overlaps Core instruction",
    ]
    assert "(9:00 AM–9:30 AM, grade 1) on Mon" in errors["start"][0]
    assert BellPeriod.objects.count() == 5


def test_touching_periods_are_accepted(world, lunch):
    add(world, name="Before", grades=["K"], weekdays=[0], start=dt.time(11), end=dt.time(11, 30))
    add(world, name="After", grades=["K"], weekdays=[0], start=dt.time(12), end=dt.time(12, 30))
    assert BellPeriod.objects.count() == 3
    # A minute more and it overlaps.
    assert "start" in refusal(world, grades=["K"], start=dt.time(11, 59), end=dt.time(12, 10))
    assert BellPeriod.objects.count() == 3


def test_an_overlap_is_shown_in_place_and_keeps_what_was_typed(client, world, bells_url):
    client.force_login(world.users["supervisor"])
    assert client.post(bells_url, BELL).status_code == 302  # 9:00-10:30, K and 1, Mon and Wed
    typed = {
        "kind": "specials",
        "name": "Typed art",
        "start": "10:00",
        "end": "11:00",
        "grades": ["1", "2"],
        "weekdays": ["2", "4"],
    }
    response = client.post(bells_url, typed)
    html = response.content.decode()
    assert response.status_code == 400 and "The period was not added" in html
    message = (
        "This overlaps Typed reading block (9:00 AM–10:30 AM, grade 1) on Wed; "
        "a grade&#x27;s periods cannot overlap."
    )
    assert f'<p class="field-error" id="id_start_error">{message}</p>' in html
    assert 'value="Typed art"' in html and 'value="10:00"' in html and 'value="11:00"' in html
    assert '<option value="specials" selected>' in html
    assert 'name="grades" value="2" id="id_grades_3" checked' in html
    assert 'name="grades" value="K" id="id_grades_1" checked' not in html
    assert 'name="weekdays" value="4" id="id_weekdays_4" checked' in html
    assert BellPeriod.objects.count() == 1


def test_the_demo_bells_have_no_overlaps(world):
    """Every seeded period could have been added through bell_period_add."""
    School.objects.create(district=world.district, name="north High", grade_band="high")
    schedule_data_seed(district=world.district, rng=random.Random(1))
    seeded = list(BellPeriod.objects.all())
    assert {b.school.grade_band for b in seeded} == {"elementary", "middle", "high"}
    BellPeriod.objects.all().delete()
    for b in seeded:
        bell_period_add(
            user=world.users["admin"],
            school_id=b.school_id,
            kind=b.kind,
            name=b.name,
            grades=b.grades.split(",") if b.grades else [],
            weekdays=[int(d) for d in b.weekdays.split(",") if d],
            start=b.start,
            end=b.end,
        )
    assert BellPeriod.objects.count() == len(seeded)


# -- Travel times -----------------------------------------------------------------------------


@pytest.fixture
def three(world):
    third = School.objects.create(district=world.district, name="north Annex", grade_band="k8")
    return sorted([world.school, world.other_school, third], key=lambda s: s.name)


def test_travel_matrix_saves(client, world, three):
    url = reverse("travel_times")
    client.force_login(world.users["admin"])
    html = client.get(url).content.decode()
    assert f"takes {TRAVEL_DEFAULT_MINUTES} minutes when a school's location is not" in html
    assert html.count('name="travel-') == 6  # 3 x 3 without the diagonal
    assert f'placeholder="{TRAVEL_DEFAULT_MINUTES}"' in html
    response = client.post(url, matrix(three, **{"0_1": "12", "1_2": " 30 ", "2_1": "25"}))
    assert response.status_code == 302
    saved = {(t.origin_id, t.destination_id): t.minutes for t in TravelTime.objects.all()}
    a, b, c = (s.pk for s in three)
    assert saved == {(a, b): 12, (b, c): 30, (c, b): 25}
    assert set(TravelTime.objects.values_list("district", flat=True)) == {world.district.pk}
    html = client.get(url).content.decode()
    assert "3 added, 0 changed, 0 cleared" in html
    assert f'name="{cell(three[0], three[1])}" value="12"' in html
    assert 'placeholder="12"' in html  # the blank way back shows the other way's minutes
    # Change one, clear one, keep one.
    client.post(url, matrix(three, **{"0_1": "14", "2_1": "25"}))
    saved = {(t.origin_id, t.destination_id): t.minutes for t in TravelTime.objects.all()}
    assert saved == {(a, b): 14, (c, b): 25}
    assert "0 added, 1 changed, 1 cleared" in client.get(url).content.decode()


@pytest.mark.parametrize("bad", ["0", "181", "12.5", "abc", "-5"])
def test_a_bad_cell_saves_nothing(client, world, three, bad):
    TravelTime.objects.create(
        district=world.district, origin=three[0], destination=three[1], minutes=12
    )
    client.force_login(world.users["supervisor"])
    response = client.post(
        reverse("travel_times"), matrix(three, **{"0_1": "20", "1_2": "33", "2_0": bad})
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved: 1 cell needs fixing" in html
    assert "Enter whole minutes from 1 to 180, or leave it blank." in html
    bad_cell = cell(three[2], three[0])
    assert f'name="{bad_cell}" value="{bad}"' in html  # the bad value, as typed
    assert 'aria-invalid="true"' in html and f'id="id_{bad_cell}_error"' in html
    assert f'name="{cell(three[0], three[1])}" value="20"' in html  # the good ones, as typed
    assert f'name="{cell(three[1], three[2])}" value="33"' in html
    assert [(t.origin, t.destination, t.minutes) for t in TravelTime.objects.all()] == [
        (three[0], three[1], 12)
    ]


def test_travel_save_is_all_or_nothing_in_the_service(world, three):
    TravelTime.objects.create(
        district=world.district, origin=three[0], destination=three[1], minutes=12
    )
    a, b, c = (s.pk for s in three)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        travel_times_save(user=world.users["admin"], minutes={(a, b): None, (b, c): 200})
    assert list(exc.value.message_dict) == [f"{b}-{c}"]
    assert TravelTime.objects.get().minutes == 12
    with pytest.raises(PermissionDenied):
        travel_times_save(user=world.users["admin"], minutes={(a, a): 5})


# -- What the scheduler reads -----------------------------------------------------------------


def test_the_scheduler_reads_bells_and_travel(client, world):
    therapist = world.staff["therapist"]
    therapist.schools.add(world.school, world.other_school)
    a, b = str(world.school.pk), str(world.other_school.pk)
    instance, _ = week_instance(staff=therapist, on=TODAY)
    assert instance.travel_minutes(a, b) == instance.travel_minutes(b, a)
    assert instance.travel_minutes(a, b) == TRAVEL_DEFAULT_MINUTES  # what the page says

    client.force_login(world.users["supervisor"])
    client.post(reverse("school_bells", args=[world.school.pk]), BELL)
    schools = [world.school, world.other_school]
    client.post(reverse("travel_times"), matrix(schools, **{"0_1": "22"}))
    instance, _ = week_instance(staff=therapist, on=TODAY)
    assert instance.schools[a].bells == (
        Bell("core", 9 * 60, 10 * 60 + 30, frozenset({"K", "1"}), frozenset({0, 2})),
    )
    assert instance.schools[b].bells == ()
    assert instance.travel_minutes(a, b) == instance.travel_minutes(b, a) == 22  # one way: both

    client.post(reverse("travel_times"), matrix(schools, **{"0_1": "22", "1_0": "35"}))
    instance, _ = week_instance(staff=therapist, on=TODAY)
    assert (instance.travel_minutes(a, b), instance.travel_minutes(b, a)) == (22, 35)


def _place(school: School, latitude: float | None, longitude: float | None) -> None:
    school.latitude, school.longitude = latitude, longitude
    school.save(update_fields=["latitude", "longitude"])


def test_without_an_entered_time_the_scheduler_estimates_from_the_locations(client, world):
    therapist = world.staff["therapist"]
    therapist.schools.add(world.school, world.other_school)
    a, b = str(world.school.pk), str(world.other_school.pk)
    # About 3.16 km apart in a straight line: 12 minutes (rules/test_travel.py).
    _place(world.school, 39.9526, -75.1652)
    _place(world.other_school, 39.9800, -75.1550)
    instance, _ = week_instance(staff=therapist, on=TODAY)
    assert instance.travel_minutes(a, b) == instance.travel_minutes(b, a) == 12
    client.force_login(world.users["supervisor"])
    html = client.get(reverse("travel_times")).content.decode()
    assert html.count('placeholder="12"') == 2  # what the blank cells will mean, both ways
    client.force_login(world.users["therapist"])
    assert (
        "12 (estimated from the locations)" in client.get(reverse("travel_times")).content.decode()
    )
    # A time entered either way wins over the estimate.
    TravelTime.objects.create(
        district=world.district, origin=world.other_school, destination=world.school, minutes=9
    )
    instance, _ = week_instance(staff=therapist, on=TODAY)
    assert instance.travel_minutes(a, b) == instance.travel_minutes(b, a) == 9
    # One school without a location: the flat default.
    TravelTime.objects.all().delete()
    _place(world.other_school, None, None)
    instance, _ = week_instance(staff=therapist, on=TODAY)
    assert instance.travel_minutes(a, b) == TRAVEL_DEFAULT_MINUTES
    html = client.get(reverse("travel_times")).content.decode()
    assert f"{TRAVEL_DEFAULT_MINUTES} (default)" in html and "estimated" not in html


@pytest.mark.parametrize(
    "latitude, longitude",
    [(40.0, None), (None, -75.0), (91.0, -75.0), (40.0, -181.0)],
    ids=["no-longitude", "no-latitude", "latitude-out-of-range", "longitude-out-of-range"],
)
def test_a_school_location_is_both_coordinates_in_range_or_none(world, latitude, longitude):
    with pytest.raises(IntegrityError), transaction.atomic():
        _place(world.school, latitude, longitude)
    world.school.refresh_from_db()
    assert world.school.location is None
    # Forms (the admin's too) say so in words before the database has to.
    world.school.latitude, world.school.longitude = latitude, longitude
    with pytest.raises(ValidationError, match="Enter both the latitude"):
        world.school.full_clean()


def test_the_demo_district_has_locations_and_about_half_its_drives_timed(world):
    therapist = world.staff["therapist"]
    extra = [
        School.objects.create(district=world.district, name=f"north {n}", grade_band="elementary")
        for n in ("East", "West", "South")
    ]
    therapist.schools.add(world.school, world.other_school, *extra)
    for i, school in enumerate([world.school, world.other_school, *extra]):
        _place(school, 40.0 + 0.01 * i, -75.0 - 0.013 * i)
    schedule_data_seed(district=world.district, rng=random.Random(3))
    pairs = {
        (a, b)
        for staff in Staff.objects.filter(district=world.district).prefetch_related("schools")
        for a in staff.schools.all()
        for b in staff.schools.all()
        if a.pk < b.pk
    }
    timed = {(t.origin_id, t.destination_id): t.minutes for t in TravelTime.objects.all()}
    assert 0 < len(timed) < len(pairs)
    for (a, b), minutes in timed.items():
        estimate = travel_default_minutes(a=School.objects.get(pk=a), b=School.objects.get(pk=b))
        assert estimate - 2 <= minutes <= estimate + 4  # a timed drive, near the estimate


# -- Where a school is -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, saved",
    [
        ("39.9526, -75.1652", (39.9526, -75.1652)),
        ("  39.9526,-75.1652 ", (39.9526, -75.1652)),
        ("39.9526° N, 75.1652° W", (39.9526, -75.1652)),
        ("33.8688 s, 151.2093 e", (-33.8688, 151.2093)),
        ("+40, 0", (40.0, 0.0)),
    ],
    ids=["signed", "spaces", "hemispheres", "southern-eastern", "whole-degrees"],
)
def test_a_supervisor_records_a_location_as_a_map_gives_it(client, world, bells_url, typed, saved):
    client.force_login(world.users["supervisor"])
    response = client.post(bells_url, {"location": typed})
    assert response.status_code == 302 and response["Location"] == bells_url
    world.school.refresh_from_db()
    assert world.school.location == saved
    html = client.get(bells_url).content.decode()
    assert "Location saved" in html
    shown = ", ".join(f"{x:.6f}".rstrip("0").rstrip(".") for x in saved)
    assert f"{shown} (latitude, longitude)" in html and f'value="{shown}"' in html
    assert not BellPeriod.objects.exists()  # the period form was not submitted


def test_the_location_drives_the_estimate_and_clearing_it_goes_back_to_the_default(
    client, world, bells_url
):
    therapist = world.staff["therapist"]
    therapist.schools.add(world.school, world.other_school)
    _place(world.other_school, 39.9800, -75.1550)
    a, b = str(world.school.pk), str(world.other_school.pk)
    client.force_login(world.users["admin"])
    index = client.get(reverse("school_bells_index")).content.decode()
    assert index.count("Not on record") == 1 and index.count("On record") == 1
    client.post(bells_url, {"location": "39.9526, -75.1652"})
    instance, _ = week_instance(staff=therapist, on=TODAY)
    assert instance.travel_minutes(a, b) == 12  # as in the test of the estimate above
    assert "Not on record" not in client.get(reverse("school_bells_index")).content.decode()
    response = client.post(bells_url, {"location": ""})
    assert response.status_code == 302
    world.school.refresh_from_db()
    assert world.school.location is None
    html = client.get(bells_url).content.decode()
    assert "Location cleared" in html and "Not on record: drives to and from" in html
    instance, _ = week_instance(staff=therapist, on=TODAY)
    assert instance.travel_minutes(a, b) == TRAVEL_DEFAULT_MINUTES


@pytest.mark.parametrize(
    "typed, message",
    [
        ("39.9526", "separated by a comma"),
        ("39.9526; -75.1652", "separated by a comma"),
        ("north, south", "separated by a comma"),
        ("39.9526 E, 75.1652 W", "separated by a comma"),  # a latitude is north or south
        ("-39.9526 N, 75.1652 W", "separated by a comma"),  # a sign and a hemisphere
        ("1, 2, 3", "separated by a comma"),
        ("91, -75", "Enter both the latitude (-90 to 90)"),
        ("40, 181", "Enter both the latitude (-90 to 90)"),
    ],
)
def test_a_bad_location_is_answered_in_place_and_saves_nothing(
    client, world, bells_url, typed, message
):
    _place(world.school, 40.0, -75.0)
    client.force_login(world.users["supervisor"])
    response = client.post(bells_url, {"location": typed})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The location was not saved" in html and message in html
    assert f'value="{typed}"' in html  # what was typed is still there
    assert "The period was not added" not in html  # the other form is untouched
    world.school.refresh_from_db()
    assert world.school.location == (40.0, -75.0)


def test_the_location_service_checks_who_and_which_school(world, elsewhere):
    for role in ("therapist", "teacher"):
        with pytest.raises(PermissionDenied):
            school_location_set(
                user=world.users[role], school_id=world.school.pk, latitude=40.0, longitude=-75.0
            )
    with pytest.raises(PermissionDenied):
        school_location_set(
            user=elsewhere.users["admin"], school_id=world.school.pk, latitude=40.0, longitude=-75.0
        )
    with pytest.raises(ValidationError) as refused:
        school_location_set(
            user=world.users["admin"], school_id=world.school.pk, latitude=40.0, longitude=None
        )
    assert list(refused.value.message_dict) == ["location"]
    world.school.refresh_from_db()
    assert world.school.location is None


@pytest.mark.parametrize("role", ["therapist", "cota"])
def test_therapists_see_the_location_but_do_not_set_it(client, world, bells_url, role):
    _place(world.school, 39.9526, -75.1652)
    client.force_login(world.users[role])
    html = client.get(bells_url).content.decode()
    assert "39.9526, -75.1652 (latitude, longitude)" in html and "Save location" not in html
    assert client.post(bells_url, {"location": "40, -75"}).status_code == 403
    world.school.refresh_from_db()
    assert world.school.location == (39.9526, -75.1652)


# -- Queries do not grow with the schools or the bells ----------------------------------------


def test_queries_do_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.users["admin"])
    bells_url = reverse("school_bells", args=[world.school.pk])

    def count(method, url, data=None, status=200) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(url, data or {})
            assert response.status_code == status
        return len(queries)

    def grow(n: int):
        for i in range(n):
            School.objects.create(district=world.district, name=f"north {i:02}", grade_band="k8")
            BellPeriod.objects.create(
                district=world.district,
                school=world.school,
                kind="core",
                start=dt.time(8 + i % 6),
                end=dt.time(8 + i % 6, 30),
            )

    def schools():
        return list(School.objects.filter(district=world.district).order_by("name", "pk"))

    def full(ss, base: int):
        pairs = [(x, y) for x in ss for y in ss if x != y]
        return {cell(x, y): str(base + i % 50) for i, (x, y) in enumerate(pairs)}

    url = reverse("travel_times")

    def counts(ss):
        return (
            count("get", reverse("school_bells_index")),
            count("get", bells_url),
            count("get", url),
            count("post", url, full(ss, 60), status=302),
            count("post", url, {**full(ss, 10), cell(ss[0], ss[1]): "x"}, status=400),
        )

    grow(1)
    ss = schools()
    client.post(url, full(ss, 10))  # every pair recorded; the counted save changes them all
    small = counts(ss)
    grow(8)
    ss = schools()
    client.post(url, full(ss, 10))
    with django_assert_max_num_queries(sum(small)):
        large = counts(ss)
    assert len(schools()) == 11 and TravelTime.objects.filter(minutes__gte=60).count() == 110
    assert large == small, (small, large)
    assert max(small) <= 12, small
