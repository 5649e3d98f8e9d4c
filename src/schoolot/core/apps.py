from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "schoolot.core"
    label = "core"

    def ready(self) -> None:
        from django.urls import register_converter

        from schoolot.core import timezones  # noqa: F401  (the login receiver)
        from schoolot.core.params import IdConverter

        register_converter(IdConverter, "id")  # <id:...> in every URL (core/params.py)
