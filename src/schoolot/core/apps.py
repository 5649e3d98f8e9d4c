from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "schoolot.core"
    label = "core"
