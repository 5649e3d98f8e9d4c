"""Every view of a student's record leaves an audit event nobody can change or delete."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from schoolot.audit.models import AuditAction, AuditEvent, ImmutableRecordError


def test_viewing_a_record_is_recorded_with_who_when_what_and_where(client, world):
    student = world.students["own"]
    client.force_login(world.users["teacher"])
    client.get(
        reverse("student_detail", args=[student.pk]),
        HTTP_USER_AGENT="Tablet Safari",
        REMOTE_ADDR="10.1.2.3",
    )
    event = AuditEvent.objects.get()
    assert event.actor == world.users["teacher"]
    assert event.actor_name == "north-teacher"
    assert event.actor_role == "teacher"
    assert event.student_id == student.pk
    assert event.district_id == world.district.pk
    assert event.action == AuditAction.VIEW
    assert "classroom" in event.what
    assert event.ip_address == "10.1.2.3"
    assert event.user_agent == "Tablet Safari"
    assert event.path == reverse("student_detail", args=[student.pk])
    assert event.at is not None


def test_refused_views_record_nothing(client, world, elsewhere):
    client.force_login(world.users["teacher"])
    client.get(reverse("student_detail", args=[elsewhere.students["own"].pk]))
    assert not AuditEvent.objects.exists()


def test_back_office_views_are_recorded(client, world):
    client.force_login(world.users["admin"])
    client.get(f"/admin/directory/student/{world.students['own'].pk}/change/")
    assert AuditEvent.objects.filter(student_id=world.students["own"].pk).exists()


@pytest.fixture
def event(client, world):
    client.force_login(world.users["therapist"])
    client.get(reverse("student_detail", args=[world.students["own"].pk]))
    return AuditEvent.objects.get()


def test_the_model_refuses_change_and_delete(event):
    event.what = "nothing to see"
    with pytest.raises(ImmutableRecordError):
        event.save()
    with pytest.raises(ImmutableRecordError):
        event.delete()


def test_the_database_refuses_update(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(what="rewritten")
    event.refresh_from_db()
    assert event.what != "rewritten"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite refuses deletes in the model only"
)
def test_postgres_refuses_delete(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_is_read_only_and_district_scoped(client, world, elsewhere, event):
    client.force_login(elsewhere.users["admin"])
    html = client.get("/admin/audit/auditevent/").content.decode()
    assert "north-therapist" not in html
    client.force_login(world.users["admin"])
    assert "north-therapist" in client.get("/admin/audit/auditevent/").content.decode()
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    response = client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
