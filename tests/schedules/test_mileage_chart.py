"""The district's mileage chart (schedules.services.school_mileage_save, the mileage page):
road miles between two schools, the same both ways, saved all or nothing by a supervisor or
administrator, read by therapists; the timesheet's mileage log takes them over the
estimate from the schools' locations."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from schoolot.schedules.models import SchoolMileage
from schoolot.schedules.selectors import logged_legs_get
from schoolot.schedules.services import school_mileage_save
from tests.delivery.helpers import DAY, log, part
from tests.factories import far_student_make


def _pair(world):
    return world.school.pk, world.other_school.pk


def _field(world):
    a, b = sorted(_pair(world))
    return f"miles-{a}-{b}"


def test_a_supervisor_saves_the_chart_the_same_both_ways(world):
    a, b = _pair(world)
    counts = school_mileage_save(user=world.users["supervisor"], miles={(b, a): Decimal("3.4")})
    assert counts == {"added": 1, "changed": 0, "cleared": 0}
    row = SchoolMileage.objects.get()
    assert (row.school_a_id, row.school_b_id, row.miles) == (min(a, b), max(a, b), Decimal("3.4"))
    assert school_mileage_save(user=world.users["admin"], miles={(a, b): "3.5"})["changed"] == 1
    assert school_mileage_save(user=world.users["admin"], miles={(a, b): None})["cleared"] == 1
    assert not SchoolMileage.objects.exists()


@pytest.mark.parametrize("bad", ["0", "-1", "500.1", "2.45", "lots", "NaN", "Infinity"])
def test_a_bad_value_saves_nothing_and_names_the_pair(world, bad):
    a, b = _pair(world)
    school_mileage_save(user=world.users["supervisor"], miles={(a, b): "2.0"})
    with pytest.raises(ValidationError) as raised:
        school_mileage_save(user=world.users["supervisor"], miles={(a, b): bad})
    assert list(raised.value.message_dict) == [f"{min(a, b)}-{max(a, b)}"]
    assert SchoolMileage.objects.get().miles == Decimal("2.0")


@pytest.mark.parametrize("who", ["therapist", "cota", "teacher", "parent"])
def test_only_supervisors_and_administrators_change_it(world, who):
    with pytest.raises(PermissionDenied):
        school_mileage_save(user=world.users[who], miles={_pair(world): "1.0"})
    assert not SchoolMileage.objects.exists()


def test_another_districts_school_is_refused(world, elsewhere):
    with pytest.raises(PermissionDenied):
        school_mileage_save(
            user=world.users["supervisor"], miles={(world.school.pk, elsewhere.school.pk): "1.0"}
        )


def test_the_mileage_log_takes_the_chart_over_the_estimate(world):
    far_student_make(world=world)
    for school, lat in ((world.school, 39.95), (world.other_school, 39.98)):
        school.latitude, school.longitude = lat, -75.16
        school.save()
    log(world, [part(world.students["own"])], start=(9, 0), end=(9, 30))
    log(world, [part(world.students["far"])], start=(10, 0), end=(10, 30))
    staff = world.staff["therapist"]
    (estimated,) = logged_legs_get(staff=staff, dates=[DAY])[DAY]
    assert estimated.estimated and estimated.miles == 2.5  # 3.34 km x 1.2 in miles
    school_mileage_save(user=world.users["supervisor"], miles={_pair(world): "3.1"})
    (charted,) = logged_legs_get(staff=staff, dates=[DAY])[DAY]
    assert (charted.miles, charted.estimated) == (3.1, False)


def test_the_page_saves_and_answers_bad_input_in_place(client, world):
    url = reverse("school_mileage")
    client.force_login(world.users["supervisor"])
    page = client.get(url).content.decode()
    assert f'name="{_field(world)}"' in page
    response = client.post(url, {_field(world): "4.2"}, follow=True)
    assert "Mileage saved (1 added, 0 changed, 0 cleared)" in response.content.decode()
    response = client.post(url, {_field(world): "4.25"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page and "to a tenth" in page
    assert 'value="4.25"' in page  # what she typed, kept
    assert SchoolMileage.objects.get().miles == Decimal("4.2")


def test_therapists_read_it_and_others_do_not(client, world):
    url = reverse("school_mileage")
    school_mileage_save(user=world.users["supervisor"], miles={_pair(world): "4.2"})
    client.force_login(world.users["therapist"])
    page = client.get(url)
    assert page.status_code == 200 and "4.2" in page.content.decode()
    assert f'name="{_field(world)}"' not in page.content.decode()
    assert client.post(url, {_field(world): "1.0"}).status_code == 403
    for who in ("teacher", "parent"):
        client.force_login(world.users[who])
        assert client.get(url).status_code == 403
