"""The caseload page: grouping, mandates in words, search and filters, constant queries."""

import datetime as dt

import pytest
from django.urls import reverse

from schoolot.directory.models import CaseloadAssignment
from tests.factories import YEAR_AGO, plan_make, student_make


def test_grouped_by_school_with_plan_mandates_and_next_due(client, world):
    client.force_login(world.users["admin"])
    html = client.get(reverse("caseload")).content.decode()
    assert html.index("north Elementary") < html.index("north Middle School")
    assert "2 x 30 min weekly, pull-out, small group (up to 3)" in html
    assert "IEP" in html
    assert "Next due" in html


def test_search_by_name_and_local_id(client, world):
    client.force_login(world.users["admin"])
    html = client.get(reverse("caseload"), {"q": "chen"}).content.decode()
    assert world.students["other"].first_name in html
    assert world.students["own"].first_name not in html
    html = client.get(reverse("caseload"), {"q": world.students["own"].local_id}).content.decode()
    assert world.students["own"].first_name in html
    assert world.students["other"].first_name not in html


def test_filters_by_school_grade_plan_and_therapist(client, world):
    client.force_login(world.users["admin"])
    url = reverse("caseload")
    html = client.get(url, {"school": world.other_school.pk}).content.decode()
    assert world.students["other"].first_name in html
    assert world.students["own"].first_name not in html
    html = client.get(url, {"grade": "7"}).content.decode()
    assert world.students["other"].first_name in html
    assert world.students["cota"].first_name not in html
    html = client.get(url, {"plan_kind": "504"}).content.decode()
    assert "No students match." in html
    html = client.get(url, {"therapist": world.staff["cota"].pk}).content.decode()
    assert world.students["cota"].first_name in html
    assert world.students["own"].first_name not in html


def test_htmx_request_gets_only_the_results(client, world):
    client.force_login(world.users["therapist"])
    response = client.get(reverse("caseload"), {"q": "alvarez"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert world.students["own"].first_name in html


def test_bad_filter_answers_in_place_and_keeps_the_rest(client, world, elsewhere):
    client.force_login(world.users["therapist"])
    # A school of another district is not a choice: a message, no list, the search kept.
    response = client.get(reverse("caseload"), {"q": "alvarez", "school": elsewhere.school.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in html
    assert 'value="alvarez"' in html
    assert world.students["own"].first_name not in html.split('id="results"')[1]


def test_therapist_filter_is_only_offered_to_those_who_see_several(client, world):
    client.force_login(world.users["therapist"])
    assert 'name="therapist"' not in client.get(reverse("caseload")).content.decode()
    client.force_login(world.users["supervisor"])
    html = client.get(reverse("caseload")).content.decode()
    assert 'name="therapist"' in html
    assert "Other_Therapist" not in html  # not her team


def _add_students(world, n):
    for i in range(n):
        student = student_make(
            district=world.district, school=world.school, first=f"Extra{i}", last="Lopez"
        )
        plan_make(student=student)
        CaseloadAssignment.objects.create(
            district=world.district,
            staff=world.staff["therapist"],
            student=student,
            start_date=YEAR_AGO,
        )


@pytest.mark.parametrize("n", [0, 40])
def test_query_count_does_not_grow_with_the_caseload(
    client, world, django_assert_max_num_queries, n
):
    _add_students(world, n)
    client.force_login(world.users["therapist"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("caseload"))
    assert response.content.decode().count("student-row") == 2 + n


def test_student_page_query_count_is_bounded(client, world, django_assert_max_num_queries):
    client.force_login(world.users["therapist"])
    with django_assert_max_num_queries(16):
        client.get(reverse("student_detail", args=[world.students["own"].pk]))


def test_pages_of_a_hundred(client, world):
    _add_students(world, 105)
    client.force_login(world.users["therapist"])
    html = client.get(reverse("caseload")).content.decode()
    assert "page 1 of 2" in html
    html = client.get(reverse("caseload"), {"page": 2}).content.decode()
    assert html.count("student-row") == 7


def test_ended_assignment_drops_from_caseload(client, world):
    CaseloadAssignment.objects.filter(student=world.students["own"]).update(
        end_date=dt.date.today() - dt.timedelta(days=1)
    )
    client.force_login(world.users["therapist"])
    assert world.students["own"].first_name not in client.get(reverse("caseload")).content.decode()
