"""Her mileage log on the timesheet: the drives between schools her logged day shows (her
sessions, and her fixed time at a school, in order), each with the road miles of the
district's mileage chart, else estimated from the schools' locations (rules.travel.
road_miles, marked "est."); the drive to her first school and home are her commute. On
the page and in the CSV."""

import datetime as dt

from django.urls import reverse

from schoolot.delivery.outputs import timesheet
from schoolot.rules.travel import distance_km, road_miles
from schoolot.schedules.models import Commitment
from tests.delivery.helpers import DAY, csv_rows, log, part
from tests.factories import far_student_make

ELEMENTARY = (39.9526, -75.1652)
MIDDLE = (39.9800, -75.1550)  # 3.16 km away: 2.4 road miles


def _located(world):
    far_student_make(world=world)
    for school, (lat, lon) in ((world.school, ELEMENTARY), (world.other_school, MIDDLE)):
        school.latitude, school.longitude = lat, lon
        school.save()


def test_her_drives_between_schools_and_their_miles(client, world):
    _located(world)
    own, far = world.students["own"], world.students["far"]
    log(world, [part(own)], start=(9, 0), end=(9, 30))
    log(world, [part(far)], start=(10, 0), end=(10, 30))
    log(world, [part(own)], start=(13, 0), end=(13, 30))
    log(world, [part(own)], start=(14, 0), end=(14, 30))  # the same school: no drive
    _staff, (day,) = timesheet(user=world.users["therapist"], staff_id=None, start=DAY, end=DAY)
    miles = road_miles(km=distance_km(a=ELEMENTARY, b=MIDDLE))
    assert miles == 2.4
    assert [(leg.origin, leg.destination, leg.miles) for leg in day.legs] == [
        (world.school, world.other_school, miles),
        (world.other_school, world.school, miles),
    ]
    assert day.miles == 4.8 and day.legs_unknown == 0

    client.force_login(world.users["therapist"])
    page = client.get(reverse("timesheet"), {"start": DAY, "end": DAY}).content.decode()
    assert f"{world.school.name} → {world.other_school.name}: 2.4 mi" in page
    assert "<td>4.8<ul" in page
    (row,) = csv_rows(client.get(reverse("timesheet_csv"), {"start": DAY, "end": DAY}))
    assert row["miles_between_schools"] == "4.8"
    assert row["drives"] == (
        f"{world.school.name} to {world.other_school.name} 2.4 mi (est.); "
        f"{world.other_school.name} to {world.school.name} 2.4 mi (est.)"
    )


def test_fixed_time_at_a_school_is_a_stop_of_her_day(world):
    _located(world)
    own = world.students["own"]
    log(world, [part(own)], start=(9, 0), end=(9, 30))
    log(world, [part(own)], start=(13, 0), end=(13, 30))
    Commitment.objects.create(
        district=world.district,
        staff=world.staff["therapist"],
        label="IEP meeting",
        on=DAY,
        school=world.other_school,
        start=dt.time(11),
        end=dt.time(12),
    )
    _staff, (day,) = timesheet(user=world.users["therapist"], staff_id=None, start=DAY, end=DAY)
    assert [(leg.origin, leg.destination) for leg in day.legs] == [
        (world.school, world.other_school),
        (world.other_school, world.school),
    ]


def test_a_school_without_a_location_is_said_and_not_counted(client, world):
    _located(world)
    world.other_school.latitude = world.other_school.longitude = None
    world.other_school.save()
    log(world, [part(world.students["own"])], start=(9, 0), end=(9, 30))
    log(world, [part(world.students["far"])], start=(10, 0), end=(10, 30))
    _staff, (day,) = timesheet(user=world.users["therapist"], staff_id=None, start=DAY, end=DAY)
    assert [leg.miles for leg in day.legs] == [None]
    assert (day.miles, day.legs_unknown) == (0, 1)
    client.force_login(world.users["therapist"])
    page = client.get(reverse("timesheet"), {"start": DAY, "end": DAY}).content.decode()
    assert "no location on record" in page
    (row,) = csv_rows(client.get(reverse("timesheet_csv"), {"start": DAY, "end": DAY}))
    assert row["drives"].endswith("(no location)")


def test_the_timesheets_queries_do_not_grow_with_its_days(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _located(world)
    client.force_login(world.users["therapist"])
    for back in range(5):
        day = DAY - dt.timedelta(days=back)
        log(world, [part(world.students["own"])], start=(9, 0), end=(9, 30), day=day)
        log(world, [part(world.students["far"])], start=(10, 0), end=(10, 30), day=day)

    def page(days):
        start = DAY - dt.timedelta(days=days - 1)
        with CaptureQueriesContext(connection) as queries:
            text = client.get(reverse("timesheet"), {"start": start, "end": DAY}).content.decode()
        return text.count(f"{world.school.name} → {world.other_school.name}"), len(queries)

    (one, one_queries), (five, five_queries) = page(1), page(5)
    assert (one, five) == (1, 5)
    assert five_queries == one_queries
