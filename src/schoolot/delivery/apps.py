from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "schoolot.delivery"
    label = "delivery"
    verbose_name = "Service delivery"
