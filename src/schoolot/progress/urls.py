from django.urls import path

from schoolot.progress import views

urlpatterns = [
    path("students/<id:student_id>/progress/", views.student_progress, name="student_progress"),
    path("goals/<id:goal_id>/gas/", views.gas_scale, name="gas_scale"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/batch/", views.batch_start, name="batch_start"),
    path("reports/batch/<id:batch_id>/cancel/", views.batch_cancel, name="batch_cancel"),
    path("reports/new/<id:plan_id>/<id:period_id>/", views.report_new, name="report_new"),
    path("reports/<id:report_id>/", views.report_detail, name="report_detail"),
    path("reports/<id:report_id>/redraft/", views.report_redraft, name="report_redraft"),
    path(
        "reports/<id:report_id>/report.pdf",
        views.report_pdf,
        {"version": "team"},
        name="report_pdf",
    ),
    path(
        "reports/<id:report_id>/family.pdf",
        views.report_pdf,
        {"version": "family"},
        name="report_family_pdf",
    ),
]
