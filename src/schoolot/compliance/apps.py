from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "schoolot.compliance"
    label = "compliance"
    verbose_name = "Compliance: minutes, due dates, workload"
