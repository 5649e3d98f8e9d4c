"""Referral, triage, consent and attachments: the rules and who may see what."""

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from schoolot.referrals.models import Attachment, Consent, Notification, Referral
from schoolot.referrals.services import (
    ConcernInput,
    StrategyInput,
    consent_record,
    consent_request,
    referral_create,
    referral_triage,
)

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def concern(**kwargs):
    defaults = dict(
        domain="fine_motor",
        example="Cannot copy from the board; letters reversed.",
        settings=["classroom"],
    )
    defaults.update(kwargs)
    return ConcernInput(**defaults)


def strategy(**kwargs):
    defaults = dict(
        strategy="Pencil grip and slant board",
        started_on=TODAY - dt.timedelta(30),
        ended_on=TODAY - dt.timedelta(2),
        result="Slightly neater, still slow.",
    )
    defaults.update(kwargs)
    return StrategyInput(**defaults)


@pytest.fixture
def referral(world):
    world.staff["therapist"].schools.add(world.school)
    return referral_create(
        user=world.users["teacher"],
        student_id=world.students["own"].pk,
        reason="Handwriting is far behind peers.",
        concerns=[concern()],
        strategies=[strategy()],
        files=[SimpleUploadedFile("sample.pdf", PDF, content_type="application/pdf")],
    )


def test_teacher_refers_a_student_in_her_class(referral, world):
    assert referral.status == Referral.Status.OPEN
    assert referral.referrer_role == "teacher"
    assert referral.concerns.get().settings == ["classroom"]
    assert referral.strategies.count() == 1
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf"
    assert "sample.pdf" not in attachment.stored_name  # stored under a random name


def test_the_triage_team_is_told(referral, world):
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert {
        "north-supervisor",
        "north-other_supervisor",
        "north-admin",
        "north-therapist",
    } <= notified
    assert "north-other_therapist" not in notified  # not at that school
    assert "north-teacher" not in notified


def test_a_teacher_cannot_refer_a_student_not_in_her_class(world, elsewhere):
    for student in [world.students["other"], elsewhere.students["own"]]:
        with pytest.raises(PermissionDenied):
            referral_create(
                user=world.users["teacher"],
                student_id=student.pk,
                reason="x",
                concerns=[concern()],
                strategies=[],
            )


def test_a_parent_refers_her_child_only(world):
    r = referral_create(
        user=world.users["parent"],
        student_id=world.students["own"].pk,
        reason="He cannot button his coat.",
        concerns=[concern(domain="self_care", settings=["home"])],
        strategies=[],
    )
    assert r.referrer_role == "parent"
    with pytest.raises(PermissionDenied):
        referral_create(
            user=world.users["parent"],
            student_id=world.students["other"].pk,
            reason="x",
            concerns=[concern()],
            strategies=[],
        )


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf"), "not really a PDF"),
        (SimpleUploadedFile("photo.png", PDF), "not really a PNG"),
        (SimpleUploadedFile("run.exe", b"MZ\x90\x00"), "only PDF, PNG and JPEG"),
        (SimpleUploadedFile("empty.pdf", b""), "is empty"),
        (SimpleUploadedFile("huge.pdf", PDF + b"0" * (10 * 1024 * 1024)), "the limit is 10 MB"),
    ],
)
def test_oversized_or_disguised_attachments_are_refused(world, upload, message):
    with pytest.raises(ValidationError) as excinfo:
        referral_create(
            user=world.users["teacher"],
            student_id=world.students["own"].pk,
            reason="x",
            concerns=[concern()],
            strategies=[],
            files=[upload],
        )
    assert message in " ".join(excinfo.value.messages)
    assert not Referral.objects.exists() and not Attachment.objects.exists()


def test_bad_concerns_and_strategies(world):
    with pytest.raises(ValidationError) as excinfo:
        referral_create(
            user=world.users["teacher"],
            student_id=world.students["own"].pk,
            reason="",
            concerns=[concern(example="  ")],
            strategies=[
                strategy(ended_on=TODAY - dt.timedelta(60)),
                strategy(started_on=TODAY + dt.timedelta(3), ended_on=None),
            ],
        )
    text = " ".join(excinfo.value.messages)
    assert "what worries you" in text
    assert "concrete example" in text
    assert "must end after it starts" in text
    assert "cannot start in the future" in text


def test_double_submit_is_one_referral(world):
    key = uuid.uuid4()
    args = dict(
        user=world.users["teacher"],
        student_id=world.students["own"].pk,
        reason="x",
        concerns=[concern()],
        strategies=[],
        submission_key=key,
    )
    assert referral_create(**args).pk == referral_create(**args).pk
    assert Referral.objects.count() == 1


def test_triage_consultation_needs_a_review_date(referral, world):
    with pytest.raises(ValidationError):
        referral_triage(user=world.users["supervisor"], referral=referral, decision="consultation")
    referral_triage(
        user=world.users["supervisor"],
        referral=referral,
        decision="consultation",
        review_on=TODAY + dt.timedelta(days=42),
        note="Try the strategies.",
    )
    assert referral.status == "consultation"
    assert Notification.objects.filter(user=world.users["teacher"]).exists()


@pytest.mark.parametrize("who", ["teacher", "parent"])
def test_only_the_team_triages(referral, world, who):
    with pytest.raises(PermissionDenied):
        referral_triage(user=world.users[who], referral=referral, decision="evaluation")


def test_evaluation_requests_consent_and_consent_rules(referral, world):
    referral_triage(user=world.users["therapist"], referral=referral, decision="evaluation")
    consent = Consent.objects.get()
    assert consent.kind == "initial_evaluation" and consent.response == "pending"
    with pytest.raises(ValidationError) as excinfo:
        consent_record(
            user=world.users["therapist"],
            consent=consent,
            response="received",
            responded_on=TODAY - dt.timedelta(days=5),
        )
    assert "before the request" in " ".join(excinfo.value.messages)
    with pytest.raises(ValidationError):
        consent_record(
            user=world.users["therapist"],
            consent=consent,
            response="received",
            responded_on=TODAY + dt.timedelta(days=1),
        )
    consent_record(
        user=world.users["therapist"], consent=consent, response="received", responded_on=TODAY
    )
    assert consent.response == "received"


def test_consent_dated_before_the_referral_is_refused(referral, world):
    referral.received_on = TODAY - dt.timedelta(days=3)
    referral.save()
    with pytest.raises(ValidationError) as excinfo:
        consent_request(
            user=world.users["therapist"],
            student=referral.student,
            referral=referral,
            kind="initial_evaluation",
            requested_on=TODAY - dt.timedelta(days=10),
        )
    assert "before the referral" in " ".join(excinfo.value.messages)


def test_refused_consent_closes_the_referral(referral, world):
    referral_triage(user=world.users["therapist"], referral=referral, decision="evaluation")
    consent_record(
        user=world.users["therapist"],
        consent=Consent.objects.get(),
        response="refused",
        responded_on=TODAY,
    )
    referral.refresh_from_db()
    assert referral.status == "closed"


def test_medicaid_consent_reaches_the_student(world):
    student = world.students["own"]
    c = consent_request(
        user=world.users["therapist"],
        student=student,
        kind="medicaid_billing",
        requested_on=TODAY - dt.timedelta(days=3),
    )
    consent_record(
        user=world.users["therapist"],
        consent=c,
        response="received",
        responded_on=TODAY - dt.timedelta(days=1),
    )
    student.refresh_from_db()
    assert student.medicaid_billing_consent == TODAY - dt.timedelta(days=1)


class TestWhoSeesWhat:
    def test_referral_page(self, client, referral, world, elsewhere):
        url = reverse("referral_detail", args=[referral.pk])
        expected = {
            "teacher": 200,
            "parent": 200,
            "therapist": 200,
            "supervisor": 200,
            "admin": 200,
            "other_teacher": 404,
            "other_parent": 404,
            "other_therapist": 404,
            "cota": 404,
        }
        for who, status in expected.items():
            client.force_login(world.users[who])
            assert client.get(url).status_code == status, who
        for who in ["admin", "therapist", "teacher", "parent"]:
            client.force_login(elsewhere.users[who])
            assert client.get(url).status_code == 404, who

    def test_attachment_download(self, client, referral, world, elsewhere):
        url = reverse("attachment", args=[Attachment.objects.get().pk])
        for who, status in {
            "teacher": 200,
            "parent": 200,
            "therapist": 200,
            "other_teacher": 404,
            "other_parent": 404,
        }.items():
            client.force_login(world.users[who])
            response = client.get(url)
            assert response.status_code == status, who
            if status == 200:
                assert b"".join(response.streaming_content) == PDF
                assert response["Content-Disposition"].startswith("attachment")
        client.force_login(elsewhere.users["admin"])
        assert client.get(url).status_code == 404

    def test_teacher_cannot_act(self, client, referral, world):
        client.force_login(world.users["teacher"])
        response = client.post(
            reverse("referral_triage", args=[referral.pk]), {"decision": "close", "note": "no"}
        )
        assert response.status_code == 403
        referral.refresh_from_db()
        assert referral.status == "open"

    def test_the_files_are_outside_the_web_root(self, settings, referral):
        from schoolot.referrals.services import attachment_path

        path = attachment_path(Attachment.objects.get())
        assert path.exists()
        assert str(settings.STATIC_ROOT) not in str(path)
        assert str(path).startswith(str(settings.MEDIA_ROOT))


def test_referral_form_in_the_browserless_way(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.users["teacher"])
    data = {
        "student": world.students["own"].pk,
        "reason": "Cannot keep up with writing.",
        "submission_key": str(uuid.uuid4()),
        "concern-TOTAL_FORMS": "3",
        "concern-INITIAL_FORMS": "0",
        "concern-MIN_NUM_FORMS": "0",
        "concern-MAX_NUM_FORMS": "10",
        "strategy-TOTAL_FORMS": "2",
        "strategy-INITIAL_FORMS": "0",
        "strategy-MIN_NUM_FORMS": "0",
        "strategy-MAX_NUM_FORMS": "10",
        "concern-0-domain": "fine_motor",
        "concern-0-example": "",
        "concern-0-settings": ["classroom"],
        "strategy-0-strategy": "Wide-ruled paper",
        "strategy-0-result": "No change",
    }
    response = client.post(reverse("referral_new"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "concrete example" in html
    assert "When did you start it?" in html
    assert "Cannot keep up with writing." in html  # what was valid is kept
    data["concern-0-example"] = "Letters run off the line; cannot read back his own work."
    data["strategy-0-started_on"] = (TODAY - dt.timedelta(days=20)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("referral_new"), data)
    assert response.status_code == 302
    assert Referral.objects.count() == 1
    assert len(mail.outbox) >= 1
    assert "New OT referral" in mail.outbox[0].subject


def test_medicaid_yearly_notice_and_its_due_date(client, world):
    from schoolot.compliance.due import due_items
    from schoolot.referrals.services import medicaid_notice_record

    student = world.students["own"]
    signed_on = TODAY - dt.timedelta(days=360)
    c = consent_request(
        user=world.users["therapist"],
        student=student,
        kind="medicaid_billing",
        requested_on=TODAY - dt.timedelta(days=365),
    )
    c.requested_on = signed_on - dt.timedelta(days=5)
    c.save()
    consent_record(
        user=world.users["therapist"], consent=c, response="received", responded_on=signed_on
    )
    items = due_items(user=world.users["therapist"], start=TODAY, end=TODAY + dt.timedelta(30))
    notice = [i for i in items if i.kind == "Medicaid yearly notice"]
    assert notice and notice[0].date == signed_on.replace(year=signed_on.year + 1)
    with pytest.raises(ValidationError):
        medicaid_notice_record(
            user=world.users["therapist"], consent=c, sent_on=TODAY + dt.timedelta(days=1)
        )
    medicaid_notice_record(user=world.users["therapist"], consent=c, sent_on=TODAY)
    items = due_items(user=world.users["therapist"], start=TODAY, end=TODAY + dt.timedelta(30))
    assert not [i for i in items if i.kind == "Medicaid yearly notice"]
