from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    name = "schoolot.schedules"
    label = "schedules"
    verbose_name = "Schedules: bells, protected time, availability, travel"
