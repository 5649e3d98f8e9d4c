"""The permission matrix: each role x each page x own / someone else's / another district.

Each expectation is written out, so loosening any rule in schoolot.core.access (or a view that
skips it) makes a named case fail.
"""

import pytest
from django.urls import reverse

from schoolot.core.access import RecordScope, record_scope_for, students_visible_to

STUDENTS = ["own", "cota", "other", "former"]

#: Which of the north district's students each north user may open.
VISIBLE = {
    "admin": {"own", "cota", "other", "former"},
    "supervisor": {"own", "cota"},  # supervises the OTR and the COTA
    "other_supervisor": {"other"},
    "therapist": {"own", "cota"},  # her caseload and her COTA's
    "cota": {"cota"},
    "other_therapist": {"other"},
    "teacher": {"own"},  # enrolled in her class
    "other_teacher": {"other"},
    "parent": {"own"},
    "other_parent": {"other"},
}

SCOPE = {
    "admin": RecordScope.FULL,
    "supervisor": RecordScope.FULL,
    "other_supervisor": RecordScope.FULL,
    "therapist": RecordScope.FULL,
    "cota": RecordScope.FULL,
    "other_therapist": RecordScope.FULL,
    "teacher": RecordScope.CLASSROOM,
    "other_teacher": RecordScope.CLASSROOM,
    "parent": RecordScope.FULL,
    "other_parent": RecordScope.FULL,
}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_selector_matches_matrix(world, elsewhere, who):
    user = world.users[who]
    visible = set(students_visible_to(user=user).values_list("pk", flat=True))
    expected = {world.students[key].pk for key in VISIBLE[who]}
    assert visible == expected
    assert not visible & {s.pk for s in elsewhere.students.values()}
    assert record_scope_for(user=user) is SCOPE[who]


@pytest.mark.parametrize("who", sorted(VISIBLE))
@pytest.mark.parametrize("key", STUDENTS)
def test_student_page(client, world, elsewhere, who, key):
    client.force_login(world.users[who])
    response = client.get(reverse("student_detail", args=[world.students[key].pk]))
    assert response.status_code == (200 if key in VISIBLE[who] else 404)
    # The same student's twin in the other district: never.
    response = client.get(reverse("student_detail", args=[elsewhere.students[key].pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_caseload_page_lists_exactly_the_visible(client, world, elsewhere, who):
    client.force_login(world.users[who])
    response = client.get(reverse("caseload"))
    assert response.status_code == 200
    html = response.content.decode()
    for key in STUDENTS:
        assert (world.students[key].first_name in html) == (key in VISIBLE[who]), key
        assert elsewhere.students[key].first_name not in html


def test_anonymous_is_sent_to_login(client, world):
    for url in [reverse("caseload"), reverse("student_detail", args=[world.students["own"].pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("attr", ["role", "is_active", "district"])
def test_user_without_role_activity_or_district_sees_nobody(client, world, attr):
    user = world.users["admin"]
    setattr(user, attr, {"role": "", "is_active": False, "district": None}[attr])
    user.save()
    assert not students_visible_to(user=user).exists()
    if attr != "is_active":
        client.force_login(user)
        response = client.get(reverse("student_detail", args=[world.students["own"].pk]))
        assert response.status_code == 404


def test_assignment_in_the_future_does_not_open_the_record(client, world):
    import datetime as dt

    from schoolot.directory.models import CaseloadAssignment

    CaseloadAssignment.objects.filter(student=world.students["cota"]).update(
        start_date=dt.date.today() + dt.timedelta(days=5)
    )
    client.force_login(world.users["cota"])
    response = client.get(reverse("student_detail", args=[world.students["cota"].pk]))
    assert response.status_code == 404


def test_supervisor_loses_students_when_therapist_moves_to_another_supervisor(client, world):
    therapist = world.staff["therapist"]
    therapist.supervisor = world.staff["other_supervisor"]
    therapist.save()
    visible = set(students_visible_to(user=world.users["supervisor"]))
    assert visible == {world.students["cota"]}


class TestTeacherSeesOnlyTheClassroomScope:
    def test_accommodations_yes_goals_and_family_no(self, client, world):
        client.force_login(world.users["teacher"])
        own = world.students["own"]
        html = client.get(reverse("student_detail", args=[own.pk])).content.decode()
        assert f"ACCOM-{own.first_name}" in html
        assert "2 x 30 min weekly" in html
        for hidden in [
            f"GOAL-{own.first_name}",  # goals and present levels
            f"TEAM-{own.first_name}",  # team contacts
            "GUARDIAN",  # family contacts
            own.medicaid_id,
            own.local_id,
            "Mar 14, 2018",  # date of birth
            "Annual review due",
        ]:
            assert hidden not in html, hidden

    def test_full_scope_shows_everything(self, client, world):
        client.force_login(world.users["therapist"])
        own = world.students["own"]
        html = client.get(reverse("student_detail", args=[own.pk])).content.decode()
        for shown in [
            f"GOAL-{own.first_name}",
            f"TEAM-{own.first_name}",
            "GUARDIAN",
            own.medicaid_id,
            "Mar 14, 2018",
            f"ACCOM-{own.first_name}",
        ]:
            assert shown in html, shown


class TestBackOffice:
    """The Django admin never crosses districts and is closed to everyone but admins."""

    def test_district_admin_sees_only_her_district(self, client, world, elsewhere):
        client.force_login(world.users["admin"])
        html = client.get("/admin/directory/student/").content.decode()
        assert world.students["other"].first_name in html
        assert elsewhere.students["own"].first_name not in html
        url = f"/admin/directory/student/{elsewhere.students['own'].pk}/change/"
        response = client.get(url, follow=True)
        assert elsewhere.students["own"].first_name not in response.content.decode()
        assert client.get("/admin/accounts/user/").status_code == 200
        users_html = client.get("/admin/accounts/user/").content.decode()
        assert "south-therapist" not in users_html

    @pytest.mark.parametrize("who", ["supervisor", "therapist", "cota", "teacher", "parent"])
    def test_other_roles_have_no_back_office(self, client, world, who):
        user = world.users[who]
        user.is_staff = True  # even if someone ticks the box by mistake
        user.save()
        client.force_login(user)
        response = client.get("/admin/directory/student/")
        assert response.status_code in {302, 403}
        response = client.get(f"/admin/directory/student/{world.students['own'].pk}/change/")
        assert response.status_code in {302, 403}

    def test_admin_creates_rows_only_in_her_district(self, client, world, elsewhere):
        client.force_login(world.users["admin"])
        response = client.post(
            "/admin/directory/school/add/",
            {
                "name": "New Hope Elementary",
                "grade_band": "elementary",
                "address": "1 Main St",
                "day_start": "08:00",
                "day_end": "15:00",
                "district": elsewhere.district.pk,
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        from schoolot.directory.models import School

        assert School.objects.get(name="New Hope Elementary").district == world.district
