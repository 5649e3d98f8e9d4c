from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "schoolot.audit"
    label = "audit"
