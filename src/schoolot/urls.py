from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from schoolot.api import views as api_views
from schoolot.api.routes import api_urls
from schoolot.core import views as core_views
from schoolot.directory import views as directory_views

admin.site.site_header = "SchoolOT back office"
admin.site.site_title = "SchoolOT"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("caseload/", directory_views.caseload, name="caseload"),
    path("students/<id:student_id>/", directory_views.student_detail, name="student_detail"),
    path("students/<id:student_id>/move/", directory_views.student_move, name="student_move"),
    path("students/move/", directory_views.students_move, name="students_move"),
    path("students/<id:student_id>/cota/", directory_views.student_cota, name="student_cota"),
    path("students/cota/", directory_views.students_cota, name="students_cota"),
    path("school-calendar/", directory_views.school_calendar, name="school_calendar"),
    path("school-calendar/import/", directory_views.calendar_import, name="school_calendar_import"),
    path(
        "school-calendar/<id:event_id>/",
        directory_views.calendar_event_edit,
        name="calendar_event_edit",
    ),
    path(
        "school-calendar/<id:event_id>/remove/",
        directory_views.calendar_event_delete,
        name="calendar_event_delete",
    ),
    path(
        "school-calendar/periods/<id:period_id>/",
        directory_views.reporting_period_edit,
        name="reporting_period_edit",
    ),
    path(
        "school-calendar/periods/<id:period_id>/remove/",
        directory_views.reporting_period_delete,
        name="reporting_period_delete",
    ),
    path("", include("schoolot.delivery.urls")),
    path("", include("schoolot.referrals.urls")),
    path("", include("schoolot.compliance.urls")),
    path("", include("schoolot.progress.urls")),
    path("", include("schoolot.schedules.urls")),
    path("api/v1/", api_urls()),
    path("account/api-tokens/", api_views.api_tokens, name="api_tokens"),
    path(
        "account/api-tokens/<id:token_id>/revoke/",
        api_views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("admin/", admin.site.urls),
]
