from django.urls import path

from schoolot.referrals import views

urlpatterns = [
    path("referrals/", views.referral_index, name="referral_list"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<id:referral_id>/", views.referral_detail, name="referral_detail"),
    path("referrals/<id:referral_id>/triage/", views.referral_triage, name="referral_triage"),
    path("referrals/<id:referral_id>/consents/new/", views.consent_new, name="consent_new"),
    path(
        "referrals/<id:referral_id>/consents/<id:consent_id>/",
        views.consent_respond,
        name="consent_respond",
    ),
    path("referrals/<id:referral_id>/evaluation/", views.evaluation_new, name="evaluation_new"),
    path(
        "referrals/<id:referral_id>/consents/<id:consent_id>/notice/",
        views.medicaid_notice,
        name="medicaid_notice",
    ),
    path("referrals/<id:referral_id>/evaluation/scores/", views.score_new, name="score_new"),
    path(
        "referrals/<id:referral_id>/evaluation/observations/",
        views.observation_new,
        name="observation_new",
    ),
    path(
        "referrals/<id:referral_id>/evaluation/complete/",
        views.evaluation_complete,
        name="evaluation_complete",
    ),
    path("referrals/<id:referral_id>/evaluation.pdf", views.evaluation_pdf, name="evaluation_pdf"),
    path("referrals/<id:referral_id>/eligibility/", views.eligibility_new, name="eligibility_new"),
    path("attachments/<id:attachment_id>/", views.attachment_download, name="attachment"),
    path("plans/<id:plan_id>/build/", views.plan_build, name="plan_build"),
    path("students/<id:student_id>/team/", views.team_thread_view, name="team_thread"),
    path("students/<id:student_id>/review/", views.review_start, name="review_start"),
    path("notifications/", views.notification_list, name="notifications"),
]
