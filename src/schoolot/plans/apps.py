from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "schoolot.plans"
    label = "plans"
