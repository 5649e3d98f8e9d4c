from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "schoolot.core"
    label = "core"

    def ready(self) -> None:
        from schoolot.core import timezones  # noqa: F401  (the login receiver)
