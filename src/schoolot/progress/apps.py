from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "schoolot.progress"
    label = "progress"
    verbose_name = "Progress monitoring and reports"
