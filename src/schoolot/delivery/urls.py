from django.urls import path

from schoolot.delivery import views

urlpatterns = [
    path("today/", views.today, name="today"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:session_id>/", views.session_detail, name="session_detail"),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/sign/", views.session_sign, name="session_sign"),
    path("sessions/<int:session_id>/cosign/", views.session_cosign, name="session_cosign"),
    path("sessions/<int:session_id>/delete/", views.session_delete, name="session_delete"),
    path("sessions/<int:session_id>/addendum/", views.addendum_add, name="addendum_add"),
    path("notes/unsigned/", views.unsigned_list, name="unsigned_notes"),
    path("week/", views.slot_list, name="slot_list"),
    path("week/<int:slot_id>/delete/", views.slot_delete, name="slot_delete"),
]
