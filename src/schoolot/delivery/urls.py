from django.urls import path

from schoolot.delivery import views, views_outputs

urlpatterns = [
    path("today/", views.today, name="today"),
    path("today/missed/", views.day_missed, name="day_missed"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<id:session_id>/", views.session_detail, name="session_detail"),
    path("sessions/<id:session_id>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<id:session_id>/sign/", views.session_sign, name="session_sign"),
    path("sessions/<id:session_id>/cosign/", views.session_cosign, name="session_cosign"),
    path("sessions/<id:session_id>/delete/", views.session_delete, name="session_delete"),
    path("sessions/<id:session_id>/addendum/", views.addendum_add, name="addendum_add"),
    path("notes/unsigned/", views.unsigned_list, name="unsigned_notes"),
    path("week/", views.slot_list, name="slot_list"),
    path("week/<id:slot_id>/delete/", views.slot_delete, name="slot_delete"),
    path("week/<id:slot_id>/move/", views.slot_move, name="slot_move"),
    path("week/<id:slot_id>/places/", views.slot_places, name="slot_places"),
    path("week/of/<id:staff_id>/", views.staff_week, name="staff_week"),
    path("consultations/", views_outputs.consultation_list, name="consultation_list"),
    path("consultations/new/", views_outputs.consultation_new, name="consultation_new"),
    path("students/<id:student_id>/service-log/", views_outputs.service_log, name="service_log"),
    path(
        "students/<id:student_id>/service-log.csv",
        views_outputs.service_log_csv,
        name="service_log_csv",
    ),
    path("billing/", views_outputs.billing, name="billing"),
    path("billing/export.csv", views_outputs.billing_csv, {"kind": "rows"}, name="billing_csv"),
    path(
        "billing/exceptions.csv",
        views_outputs.billing_csv,
        {"kind": "exceptions"},
        name="billing_exceptions_csv",
    ),
    path("timesheet/", views_outputs.timesheet_page, name="timesheet"),
    path("timesheet.csv", views_outputs.timesheet_csv, name="timesheet_csv"),
]
