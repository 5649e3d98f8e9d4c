from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "schoolot.api"
    label = "api"
    verbose_name = "REST API"
