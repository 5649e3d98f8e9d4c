from django.urls import path

from schoolot.schedules import views

urlpatterns = [
    path("week/build/", views.week_build, name="week_build"),
    path("week/build/<id:build_id>/cancel/", views.build_cancel, name="week_build_cancel"),
    path("week/runs/<id:run_id>/put-back/", views.build_put_back, name="week_put_back"),
    path("week/<id:slot_id>/lock/", views.slot_lock, name="slot_lock"),
    path("week/calendar/", views.calendar_feed_new, name="calendar_feed_new"),
    path("week/print.pdf", views.week_pdf, name="week_pdf"),
    path("week/hours/", views.availability_page, name="availability"),
    path("week/away/", views.time_away_page, name="time_away"),
    path("makeups/", views.makeups_page, name="makeups"),
    path("makeups/<id:entry_id>/", views.makeup_times, name="makeup_times"),
    path(
        "makeups/held/<id:commitment_id>/release/",
        views.makeup_held_release,
        name="makeup_held_release",
    ),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("schedules/", views.district_page, name="schedules_district"),
    path("students/<id:student_id>/protected/", views.protected_time, name="protected_time"),
    path("schools/bells/", views.school_bells_index, name="school_bells_index"),
    path("schools/bells/import/", views.school_bells_import, name="school_bells_import"),
    path("schools/<id:school_id>/bells/", views.school_bells, name="school_bells"),
    path("schools/travel/", views.travel_times, name="travel_times"),
    path("schools/mileage/", views.school_mileage, name="school_mileage"),
    path("schedules/priorities/", views.schedule_priorities, name="schedule_priorities"),
    path("schedules/start/", views.district_start, name="schedules_district_start"),
    path("schedules/<id:run_id>/cancel/", views.district_cancel, name="schedules_district_cancel"),
]
